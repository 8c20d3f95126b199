using System.Text.RegularExpressions;
using OrleansStream.Topology;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Topology;

/// <summary>The topology the README shows is a valid one, as a reader would copy it.</summary>
public sealed partial class ReadmeTopologyTests
{
    [Fact]
    public void The_readmes_topology_is_a_valid_ip_count()
    {
        string excerpt = YamlBlocks().Matches(File.ReadAllText(Repository.Path("README.md"))).Select(m => m.Groups[1].Value).Single(b => b.StartsWith("name: ipcount", StringComparison.Ordinal));

        var document = TopologyDocument.Parse(excerpt, "README.md");

        Assert.Equal("ipcount", document.Name);
    }

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlocks();
}
