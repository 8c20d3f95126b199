using System.Collections;
using Microsoft.Extensions.Configuration;

namespace OrleansStream.Silo;

public static class OrleansStreamEnvironmentVariables
{
    public const string Prefix = "ORLEANSSTREAM_";

    /// <summary>
    /// Reads <c>ORLEANSSTREAM_*</c> environment variables into the <c>OrleansStream</c> section, so a
    /// container sets <c>ORLEANSSTREAM_SLOTS=4</c> rather than <c>ORLEANSSTREAM_OrleansStream__Slots=4</c>.
    /// As with the stock provider, <c>__</c> separates nested keys.
    /// </summary>
    public static IConfigurationBuilder AddOrleansStreamEnvironmentVariables(this IConfigurationBuilder builder)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = name[Prefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
                values[ConfigurationPath.Combine(SiloSettings.SectionName, key)] = variable.Value as string;
            }
        }

        return builder.AddInMemoryCollection(values);
    }
}
