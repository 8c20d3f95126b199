using System.CommandLine.Parsing;

namespace OrleansStream.Cli;

/// <summary>Reads repeated <c>--param key=value</c> options into a job's parameters.</summary>
internal static class JobParameterParser
{
    public static Dictionary<string, string> Parse(ArgumentResult result)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in result.Tokens)
        {
            int equals = token.Value.IndexOf('=');
            if (equals <= 0)
            {
                result.AddError($"--param '{token.Value}' must be key=value.");
                continue;
            }

            // Later values win, as with repeated configuration keys.
            parameters[token.Value[..equals]] = token.Value[(equals + 1)..];
        }

        return parameters;
    }
}
