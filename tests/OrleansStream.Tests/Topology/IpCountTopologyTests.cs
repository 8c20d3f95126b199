using System.Globalization;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Topology;

/// <summary>
/// samples/IpCount/ipcount.topology.yaml on three silos over a fixed log: the committed counts, late lines and
/// rejected lines are what plain LINQ over the file gives.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class IpCountTopologyTests(ClusterFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int Lines = 3_000;
    private static readonly string[] Ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "192.168.1.7", "172.16.4.20", "2001:db8::1"];
    private static readonly Dictionary<int, string> Malformed = new()
    {
        [17] = "not a log line",
        [400] = "08:01:10 999.1.1.1",
        [1_234] = "8h01 10.0.0.1",
        [2_500] = "",
        [2_999] = "08:20:00 10.0.0.1 extra",
    };

    private readonly string _directory = Directory.CreateTempSubdirectory("ipcount-topology-").FullName;

    private string InputPath => Path.Combine(_directory, "access.log");

    private string OutputPath => Path.Combine(_directory, "out");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_sample_topology_commits_exactly_the_counts_late_and_rejected_lines_of_the_input()
    {
        var lines = WriteInput();
        var parameters = new Dictionary<string, string>
        {
            ["topology"] = SampleTopology(),
            ["input"] = InputPath,
            ["output"] = OutputPath,
            ["checkpoint-interval"] = "300ms",
        };

        var submitted = await fixture.Jobs.SubmitAsync(JobSubmission.For<TopologyFileJob>(2, parameters));
        var status = await JobWatch.Of(fixture.Jobs, submitted.JobId).WaitForEndAsync();
        output.WriteLine($"{status.State}: {status.Checkpoints}; {status.Failure}");

        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        var (counts, late) = Expected(lines);
        Assert.True(counts.Count > 100, "the input should fill many windows");
        Assert.Equal(counts, CommittedOutput.Lines(Path.Combine(OutputPath, "counts")));
        Assert.Equal(late, CommittedOutput.Lines(Path.Combine(OutputPath, "late")));
        var rejected = CommittedOutput.Lines(Path.Combine(OutputPath, "rejected"));
        Assert.Equal(Malformed.Keys.Select(n => $"{InputPath}:{n}:").Order(StringComparer.Ordinal), rejected.Select(r => r[..(r.IndexOf(": ", StringComparison.Ordinal) + 1)]));
        Assert.Contains(rejected, r => r.StartsWith($"{InputPath}:400: not an IP address: 08:01:10 999.1.1.1", StringComparison.Ordinal));
    }

    internal static string SampleTopology() => Repository.Path("samples", "IpCount", "ipcount.topology.yaml");

    /// <summary>
    /// What the job must commit, from the file alone: lines in time order are never late except the last
    /// well-formed line, ten minutes behind; every window's count is the number of its other lines.
    /// </summary>
    private static (List<string> Counts, List<string> Late) Expected(IReadOnlyList<string> lines)
    {
        var visits = lines.Select((text, i) => (Number: i + 1, Parts: text.Split(' ')))
            .Where(l => !Malformed.ContainsKey(l.Number))
            .Select(l => (l.Number, Time: TimeSpan.ParseExact(l.Parts[0], @"hh\:mm\:ss", CultureInfo.InvariantCulture), Ip: l.Parts[1]))
            .ToList();
        var lateVisit = visits[^1];
        var counts = visits.Take(visits.Count - 1)
            .GroupBy(v => (Start: TimeSpan.FromSeconds(Math.Floor(v.Time.TotalSeconds / 5) * 5), v.Ip))
            .Select(g => $"{g.Key.Start:hh\\:mm\\:ss} {g.Key.Ip} {g.Count()}")
            .Order(StringComparer.Ordinal)
            .ToList();
        return (counts, [$"{lateVisit.Time:hh\\:mm\\:ss} {lateVisit.Ip}"]);
    }

    /// <summary>Lines in time order (0 to 600 ms apart) from 08:00:00, a few malformed, the last one late.</summary>
    private List<string> WriteInput()
    {
        var random = new Random(7);
        long clock = TimeSpan.FromHours(8).Ticks / TimeSpan.TicksPerMillisecond;
        var lines = new List<string>(Lines + 1);
        for (int number = 1; number <= Lines; number++)
        {
            if (Malformed.TryGetValue(number, out var bad))
            {
                lines.Add(bad);
                continue;
            }

            clock += random.Next(0, 601);
            lines.Add($"{TimeSpan.FromMilliseconds(clock):hh\\:mm\\:ss} {Ips[random.Next(Ips.Length)]}");
        }

        lines.Add($"{TimeSpan.FromMilliseconds(clock - 600_000):hh\\:mm\\:ss} 10.0.0.2");
        File.WriteAllLines(InputPath, lines);
        return lines;
    }
}
