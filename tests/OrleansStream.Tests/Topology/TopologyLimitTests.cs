using System.Text;
using OrleansStream.Topology;
using OrleansStream.Topology.Document;

namespace OrleansStream.Tests.Topology;

/// <summary>
/// Documents built to exhaust a parser are refused with the line and the limit, before a node tree is built:
/// each of these took a silo down or pinned it before the limits (a stack overflow, minutes of CPU).
/// </summary>
public sealed class TopologyLimitTests
{
    [Fact]
    public void Brackets_nested_a_hundred_thousand_deep_are_refused_at_the_first_level_past_the_limit()
    {
        string text = "steps: " + new string('[', 100_000) + new string(']', 100_000);

        var error = Assert.Throws<TopologyException>(() => TopologyDocument.Parse(text, "deep.yaml"));

        Assert.Equal("deep.yaml:1:71: the document is too large: it is nested deeper than 64 levels", error.Message);
    }

    [Fact]
    public void An_alias_bomb_used_as_mapping_keys_is_refused_by_its_expanded_size()
    {
        // Each level is a list of nine uses of the level below, used as a key: 9^10 values once expanded.
        var text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= 10; i++)
        {
            text.Append($"a{i}: &a{i} {{ ? *a{i - 1} : 1, k: [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}] }}\n");
        }

        var error = Assert.Throws<TopologyException>(() => TopologyDocument.Parse(text.ToString(), "bomb.yaml"));

        Assert.Contains("bomb.yaml:", error.Message);
        Assert.EndsWith("the document is too large: it has more than 100,000 values (counting each use of an alias as the values it stands for)", error.Message);
        Assert.True(text.Length < 1_000, "the bomb is small");
    }

    [Fact]
    public void A_document_longer_than_the_limit_is_refused_before_it_is_parsed()
    {
        string text = "# " + new string('x', (1 << 20) + 1);

        var error = Assert.Throws<TopologyException>(() => TopologyDocument.Parse(text, "long.yaml"));

        Assert.Equal("long.yaml:1:1: the document is 1,048,579 characters long; the limit is 1,048,576", error.Message);
    }

    [Fact]
    public void A_file_far_longer_than_the_limit_is_refused_without_being_read()
    {
        string path = Path.Combine(Path.GetTempPath(), $"long-{Guid.NewGuid():N}.yaml");
        try
        {
            using (var file = File.Create(path))
            {
                file.SetLength(5L << 20);
            }

            var error = Assert.Throws<TopologyException>(() => TopologyDocument.LoadAsync(path).GetAwaiter().GetResult());

            Assert.EndsWith("the file is 5,242,880 bytes long; the limit is 1,048,576 characters", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void More_steps_than_the_limit_are_refused_naming_the_count()
    {
        var text = new StringBuilder("steps:\n  - { type: source, connector: generator, line: '\"x\"' }\n");
        for (int i = 0; i < 1_000; i++)
        {
            text.Append("  - { type: filter, expression: 'true' }\n");
        }

        var error = Assert.Throws<TopologyException>(() => TopologyDocument.Parse(text.ToString(), "many.yaml"));

        Assert.Equal("many.yaml:2:3: steps: 1,001 steps; a topology has at most 1,000", error.Message);
    }

    [Fact]
    public void A_document_within_the_limits_with_aliases_still_parses()
    {
        string text = """
            name: aliases
            steps:
              - { type: source, connector: generator, line: '"a b"' }
              - { type: split, delimiter: ' ', fields: { x: string, y: string } }
              - { type: filter, expression: &nonEmpty 'x.Length > 0' }
              - { type: filter, expression: *nonEmpty }
              - { type: sink, connector: print }
            """;

        Assert.Equal("aliases", TopologyDocument.Parse(text, "aliases.yaml").Name);
    }

    [Theory]
    [InlineData("/etc/passwd", "/srv/out", "steps[0] (source 'source-0').path: '/etc/passwd' is outside")]
    [InlineData("/srv/data/../../etc/passwd", "/srv/out", "steps[0] (source 'source-0').path: '/etc/passwd' is outside")]
    [InlineData("/srv/data/in.log", "/srv/datasets/out", "steps[2] (sink 'sink-2').path: '/srv/datasets/out' is outside")]
    public void Where_file_roots_are_set_a_file_source_or_sink_outside_them_is_refused(string input, string output, string message)
    {
        var limits = TopologyLimits.Default with { FileRoots = ["/srv/data", "/srv/out/"] };
        string text = $$"""
            steps:
              - { type: source, connector: file, path: "{{input}}" }
              - { type: split, fields: { x: string } }
              - { type: sink, connector: files, path: "{{output}}" }
            """;

        var error = Assert.Throws<TopologyException>(() => TopologyDocument.Parse(text, "roots.yaml", limits));

        Assert.Contains(message, error.Message);
        Assert.EndsWith("is outside the directories topologies may use on this cluster (/srv/data, /srv/out/)", error.Message);
    }

    [Fact]
    public void Within_the_file_roots_sources_and_sinks_are_accepted()
    {
        var limits = TopologyLimits.Default with { FileRoots = ["/srv/data", "/srv/out/"] };
        string text = """
            name: inside
            steps:
              - { type: source, connector: file, path: "/srv/data/logs/*.log" }
              - { type: split, fields: { x: string } }
              - { type: sink, connector: files, path: "/srv/out" }
            """;

        Assert.Equal("inside", TopologyDocument.Parse(text, "roots.yaml", limits).Name);
    }

    [Fact]
    public void A_colon_without_a_key_is_an_error_with_its_line_not_a_crash_of_the_yaml_loader()
    {
        // Found by the fuzzer: YamlDotNet's parser accepts it, its node builder threw an ArgumentException.
        string text = "steps:\n  - type: window\n    late:\n      : files\n      path: out\n";

        var error = Assert.Throws<TopologyException>(() => TopologyDocument.Parse(text, "colon.yaml"));

        Assert.Equal("colon.yaml:6:1: not valid YAML or JSON: the end of a mapping where a value should be (a key without a value, or a ':' without a key?)", error.Message);
    }

    [Theory]
    [InlineData("a: *x\nb: &x 1\n", "limits.yaml:1:4: not valid YAML or JSON: the alias *x refers to no value defined before it (or to one it is inside of)")]
    [InlineData("a: &x [1, *x]\n", "limits.yaml:1:11: not valid YAML or JSON: the alias *x refers to no value defined before it (or to one it is inside of)")]
    public void An_alias_must_refer_to_a_value_defined_before_it_and_not_to_one_it_is_inside_of(string text, string message)
    {
        // Found by the fuzzer: a cycle through a forward alias made YamlDotNet's alias resolution overflow the stack.
        var error = Assert.Throws<TopologyException>(() => TopologyDocument.Parse(text, "limits.yaml"));

        Assert.Equal(message, error.Message);
    }
}
