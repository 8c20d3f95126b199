using System.Collections.ObjectModel;
using System.Globalization;

namespace OrleansStream.Api;

/// <summary>
/// The named arguments a job is built from. The same parameters must build the same graph on the
/// client and on every silo, so everything a job's shape depends on comes from here.
/// </summary>
public sealed class JobParameters
{
    public static JobParameters Empty { get; } = new(new Dictionary<string, string>());

    public JobParameters(IReadOnlyDictionary<string, string> values)
        => Values = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(values, StringComparer.Ordinal));

    public IReadOnlyDictionary<string, string> Values { get; }

    public bool Has(string name) => Values.ContainsKey(name);

    public string? Get(string name) => Values.TryGetValue(name, out var value) ? value : null;

    public string Get(string name, string defaultValue) => Get(name) ?? defaultValue;

    public string GetRequired(string name)
        => Get(name) ?? throw new ArgumentException($"Job parameter '{name}' is required but was not given.", nameof(name));

    public int GetInt32(string name, int defaultValue) => Parse(name, defaultValue, s => int.Parse(s, CultureInfo.InvariantCulture));

    public long GetInt64(string name, long defaultValue) => Parse(name, defaultValue, s => long.Parse(s, CultureInfo.InvariantCulture));

    public double GetDouble(string name, double defaultValue) => Parse(name, defaultValue, s => double.Parse(s, CultureInfo.InvariantCulture));

    /// <summary>Reads a duration given in (possibly fractional) seconds.</summary>
    public TimeSpan GetSeconds(string name, TimeSpan defaultValue) => Parse(name, defaultValue, s => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture)));

    private T Parse<T>(string name, T defaultValue, Func<string, T> parse)
    {
        var raw = Get(name);
        if (raw is null)
        {
            return defaultValue;
        }

        try
        {
            return parse(raw);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"Job parameter '{name}' has value '{raw}', which is not a valid {typeof(T).Name}.", name, ex);
        }
    }
}
