using OrleansStream.Api;
using OrleansStream.Topology;

namespace OrleansStream.Tests.Topology;

/// <summary>Each kind of mistake in a topology is reported with the file, the exact line and column, and the field.</summary>
public sealed class TopologyErrorTests
{
    /// <summary>A valid topology; the tests replace one line of it. Line numbers are 1-based.</summary>
    private static readonly string[] Valid =
    [
        "name: errors",                                          // 1
        "steps:",                                                // 2
        "  - name: lines",                                       // 3
        "    type: source",                                      // 4
        "    connector: file",                                   // 5
        "    path: ${input}",                                    // 6
        "  - name: parse",                                       // 7
        "    type: split",                                       // 8
        "    delimiter: ' '",                                    // 9
        "    fields:",                                           // 10
        "      time: { type: timestamp, format: HH:mm:ss }",     // 11
        "      ip: string",                                      // 12
        "      bytes: long",                                     // 13
        "  - name: well-formed",                                 // 14
        "    type: filter",                                      // 15
        "    expression: ip.Length > 6",                         // 16
        "  - name: timestamps",                                  // 17
        "    type: watermarks",                                  // 18
        "    timestamp: time",                                   // 19
        "  - name: counts",                                      // 20
        "    type: window",                                      // 21
        "    keyBy: ip",                                         // 22
        "    window: tumbling",                                  // 23
        "    size: 5s",                                          // 24
        "    aggregates:",                                       // 25
        "      visits: count()",                                 // 26
        "      total: sum(bytes)",                               // 27
        "  - name: out",                                         // 28
        "    type: sink",                                        // 29
        "    connector: print",                                  // 30
    ];

    [Fact]
    public void The_valid_topology_parses()
    {
        var document = TopologyDocument.Parse(Text(), "errors.yaml");

        Assert.Equal("errors", document.Name);
    }

    [Fact]
    public void An_unknown_identifier_in_an_expression_names_the_line_column_and_step()
    {
        var error = Parse(16, "    expression: ipp.Length > 6");

        Assert.Equal((16, 17), (error.Line, error.Column));
        Assert.Equal("steps[2].expression", error.Field);
        Assert.StartsWith("errors.yaml:16:17: steps[2] (filter 'well-formed').expression: unknown identifier 'ipp'", error.Message);
    }

    [Fact]
    public void An_expression_of_the_wrong_type_is_refused()
    {
        var error = Parse(16, "    expression: ip + 1");

        Assert.Equal(16, error.Line);
        Assert.Equal("steps[2].expression", error.Field);
    }

    [Fact]
    public void An_unknown_key_names_the_keys_that_apply()
    {
        var error = Parse(16, "    expresion: ip.Length > 6");

        // Reported at the step, for the missing 'expression', before the misspelt key is seen.
        Assert.Equal(14, error.Line);
        Assert.Contains("missing required key 'expression'", error.Message);

        var unknown = Parse(9, "    delimeter: ' '");
        Assert.Equal((9, 5), (unknown.Line, unknown.Column));
        Assert.Equal("steps[1].delimeter", unknown.Field);
        Assert.Contains("unknown key 'delimeter'", unknown.Message);
        Assert.Contains("delimiter", unknown.Message);
    }

    [Fact]
    public void A_missing_required_key_names_the_step()
    {
        var error = Parse(24, "    slide: 5s");

        Assert.Equal(20, error.Line);
        Assert.Equal("steps[4]", error.Field);
        Assert.Contains("steps[4] (window 'counts'): missing required key 'size'", error.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_refused_where_it_is()
    {
        var error = Parse(24, "    size: five seconds");

        Assert.Equal((24, 11), (error.Line, error.Column));
        Assert.Equal("steps[4].size", error.Field);
        Assert.Contains("expected a duration", error.Message);

        var type = Parse(13, "      bytes: integer");
        Assert.Equal(13, type.Line);
        Assert.Equal("steps[1].fields.bytes", type.Field);
        Assert.Contains("unknown type 'integer'", type.Message);
    }

    [Fact]
    public void KeyBy_an_unknown_field_is_refused()
    {
        var error = Parse(22, "    keyBy: [ip, host]");

        Assert.Equal(22, error.Line);
        Assert.Equal("steps[4].keyBy[1]", error.Field);
        Assert.Contains("keyBy 'host' is not a field here", error.Message);
    }

    [Fact]
    public void An_aggregate_of_a_field_that_is_not_numeric_is_refused()
    {
        var error = Parse(27, "      total: sum(ip)");

        Assert.Equal((27, 14), (error.Line, error.Column));
        Assert.Equal("steps[4].aggregates.total", error.Field);
        Assert.Contains("sum(ip) needs a numeric field", error.Message);
    }

    [Fact]
    public void An_event_time_window_without_watermarks_is_refused()
    {
        var error = Parse(18, "    type: filter", (19, "    expression: true"));

        Assert.Equal(23, error.Line);
        Assert.Contains("add a watermarks step before it", error.Message);
    }

    [Fact]
    public void Rows_before_a_parse_step_are_refused()
    {
        var error = Parse(8, "    type: filter", (9, "    expression: true"), (10, "    input: lines"), (11, "#"), (12, "#"), (13, "#"));

        Assert.Equal(7, error.Line);
        Assert.Contains("parse them first", error.Message);
    }

    [Fact]
    public void A_malformed_file_is_reported_at_its_line()
    {
        var error = Parse(12, "     ip: string");

        Assert.Equal(12, error.Line);
        Assert.Contains("not valid YAML or JSON", error.Message);

        var unclosed = Parse(30, "    connector: [print");
        Assert.Equal(30, unclosed.Line);
        Assert.Contains("not valid YAML or JSON", unclosed.Message);
    }

    [Fact]
    public void Step_names_must_be_unique()
    {
        var error = Parse(28, "  - name: counts");

        Assert.Equal(28, error.Line);
        Assert.Contains("another step is named 'counts'", error.Message);
    }

    [Fact]
    public void A_format_naming_an_unknown_field_is_refused()
    {
        var error = Parse(30, "    connector: print", (29, "    type: sink\n    format: '{window_start:HH:mm:ss} {ipp} {visits}'"));

        Assert.Equal(30, error.Line);
        Assert.Equal("steps[5].format", error.Field);
        Assert.Contains("unknown field 'ipp'", error.Message);
    }

    [Fact]
    public void A_parameter_without_a_default_is_reported_at_build_with_its_line()
    {
        var document = TopologyDocument.Parse(Text(), "errors.yaml");

        var error = Assert.Throws<TopologyException>(() => new TopologyJob(document).Build(new StreamBuilder()));

        Assert.Equal(6, error.Line);
        Assert.Equal("steps[0].path", error.Field);
        Assert.Contains("job parameter 'input' is not set and has no default", error.Message);
        new TopologyJob(document).Build(new StreamBuilder(new JobParameters(new Dictionary<string, string> { ["input"] = "access.log" })));
    }

    [Fact]
    public void A_parameter_default_of_the_wrong_type_is_refused_at_parse()
    {
        var error = Parse(24, "    size: ${window:-soon}");

        Assert.Equal(24, error.Line);
        Assert.Contains("expected a duration", error.Message);
    }

    [Fact]
    public void A_regex_field_without_its_group_is_refused()
    {
        var error = Parse(8, "    type: regex", (9, "    pattern: '^(?<time>\\S+) (?<ip>\\S+) (?<size>\\d+)$'"));

        Assert.Equal(13, error.Line);
        Assert.Contains("no group named 'bytes'", error.Message);
    }

    private static string Text(params (int Line, string Text)[] replacements)
    {
        var lines = Valid.ToArray();
        foreach (var (line, text) in replacements)
        {
            lines[line - 1] = text;
        }

        return string.Join('\n', lines);
    }

    private static TopologyException Parse(int line, string text, params (int Line, string Text)[] more)
        => Assert.Throws<TopologyException>(() => TopologyDocument.Parse(Text([(line, text), .. more]), "errors.yaml"));
}
