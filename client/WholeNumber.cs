using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace OrleansStream.Cli;

/// <summary>
/// Whole-number options read and checked by one parser, so that a value that is no number ('--parallelism abc')
/// and one out of range ('--parallelism 0') are both a line naming the option, exit code 64. A validator that read
/// the converted value would throw on the first (System.CommandLine runs validators on values that did not convert).
/// </summary>
internal static class WholeNumber
{
    public static Option<int?> Optional(string name, int min, int max = int.MaxValue, params string[] aliases)
        => new(name, aliases) { CustomParser = result => Parse(result, name, min, max) };

    public static Option<int> WithDefault(string name, int fallback, int min, int max = int.MaxValue)
        => new(name) { DefaultValueFactory = _ => fallback, CustomParser = result => Parse(result, name, min, max) ?? fallback };

    private static int? Parse(ArgumentResult result, string name, int min, int max)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            string range = max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}";
            result.AddError($"{name} must be {range} (a whole number), not '{text}'.");
            return null;
        }

        return value;
    }
}
