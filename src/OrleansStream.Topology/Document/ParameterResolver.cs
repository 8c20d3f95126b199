using System.Text;
using OrleansStream.Api;

namespace OrleansStream.Topology.Document;

/// <summary>
/// Substitutes job parameters into string values: <c>${name}</c> is the parameter's value,
/// <c>${name:-default}</c> the default when it is not given, and <c>$$</c> a literal dollar sign.
/// </summary>
/// <remarks>
/// At parse time no parameters are known yet: the validating resolver uses defaults, and a reference
/// without one makes the value <em>deferred</em> (checked again when the job is built with its parameters).
/// </remarks>
internal sealed class ParameterResolver
{
    private readonly JobParameters? _parameters;

    private ParameterResolver(JobParameters? parameters) => _parameters = parameters;

    /// <summary>For <see cref="TopologyDocument.Parse"/>: parameters are unknown, defaults are used.</summary>
    public static ParameterResolver ForValidation { get; } = new(null);

    public static ParameterResolver For(JobParameters parameters) => new(parameters ?? throw new ArgumentNullException(nameof(parameters)));

    /// <summary>True while validating at parse time, when a reference without a default cannot be resolved yet.</summary>
    public bool IsValidating => _parameters is null;

    /// <summary>
    /// The value with its references substituted, or null when it is deferred (validating, and a reference has no default).
    /// </summary>
    /// <exception cref="FormatException">A reference is malformed, or (when building) names a parameter that is not given and has no default.</exception>
    public string? Resolve(string raw)
    {
        if (!raw.Contains('$'))
        {
            return raw;
        }

        var text = new StringBuilder(raw.Length);
        bool deferred = false;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (c != '$' || i == raw.Length - 1)
            {
                text.Append(c);
                continue;
            }

            if (raw[i + 1] == '$')
            {
                text.Append('$');
                i++;
                continue;
            }

            if (raw[i + 1] != '{')
            {
                text.Append(c);
                continue;
            }

            int close = raw.IndexOf('}', i + 2);
            if (close < 0)
            {
                throw new FormatException($"'${{' at position {i + 1} has no closing '}}' (write $$ for a literal '$')");
            }

            string reference = raw[(i + 2)..close];
            int separator = reference.IndexOf(":-", StringComparison.Ordinal);
            string name = separator < 0 ? reference : reference[..separator];
            string? fallback = separator < 0 ? null : reference[(separator + 2)..];
            if (!IsName(name))
            {
                throw new FormatException($"'${{{reference}}}' is not a parameter reference: write ${{name}} or ${{name:-default}} with a name of letters, digits, '.', '-' or '_'");
            }

            string? value = _parameters is null ? fallback : _parameters.Get(name) ?? fallback;
            if (value is null && _parameters is not null)
            {
                throw new FormatException($"job parameter '{name}' is not set and has no default: give it at submit (--param {name}=...) or write ${{{name}:-default}}");
            }

            deferred |= value is null;
            text.Append(value);
            i = close;
        }

        return deferred ? null : text.ToString();
    }

    private static bool IsName(string name)
        => name.Length > 0 && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_');
}
