using OrleansStream.Contracts.Jobs;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Topology;

/// <summary>
/// Topologies that once pinned a silo's thread for minutes or took its memory to 16 GB, on a real cluster:
/// the line or the job fails with a message naming the step, and the silo goes on.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HostileTopologyClusterTests(ClusterFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hostile-topology-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_pattern_that_backtracks_for_ever_rejects_the_line_at_its_timeout_and_the_job_finishes()
    {
        string input = Path.Combine(_directory, "lines.txt");
        string bad = new string('a', 40) + "b";
        File.WriteAllLines(input, ["aaaa", bad, "aa", bad, "a"]);
        const string Topology = """
            name: backtracking
            steps:
              - { type: source, connector: file, path: "${input}" }
              - name: parse
                type: regex
                pattern: '^(?<x>(a+)+)$'
                fields: { x: string }
                rejected: { connector: file, path: "${output}/rejected.txt" }
              - { type: sink, connector: file, path: "${output}/matched.txt", format: "{x}" }
            """;

        var status = await RunAsync(Topology, input);

        Assert.True(status.State == JobState.Finished, $"{status.State}: {status.Failure}");
        Assert.Equal(["a", "aa", "aaaa"], File.ReadAllLines(Path.Combine(_directory, "out", "matched.txt")).Order(StringComparer.Ordinal));
        Assert.Equal(
            [$"{input}:2: the pattern took longer than its match timeout (100 ms) on this line: {bad}", $"{input}:4: the pattern took longer than its match timeout (100 ms) on this line: {bad}"],
            File.ReadAllLines(Path.Combine(_directory, "out", "rejected.txt")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_expression_that_would_make_a_gigantic_string_fails_the_job_naming_the_step_and_the_limit()
    {
        string input = Path.Combine(_directory, "lines.txt");
        File.WriteAllLines(input, ["a", "b"]);
        const string Topology = """
            name: allocation
            restart: { strategy: none }
            steps:
              - { type: source, connector: file, path: "${input}" }
              - { type: split, fields: { x: string } }
              - name: grow
                type: select
                fields: { size: 'new string((char)97, 1000000000).Replace("a", "bb").Length + x.Length' }
              - { type: sink, connector: discard }
            """;

        var status = await RunAsync(Topology, input);

        Assert.Equal(JobState.Failed, status.State);
        Assert.Contains("grow", status.Failure);
        Assert.Contains("new string(c, count) would make a string of 1,000,000,000 characters; expressions make strings of at most 1,048,576", status.Failure);
    }

    private async Task<JobStatus> RunAsync(string topology, string input)
    {
        var submission = JobSubmission.ForTopology(topology, "hostile.yaml", parallelism: 1, parameters: new Dictionary<string, string>
        {
            ["input"] = input,
            ["output"] = Path.Combine(_directory, "out"),
        });
        var submitted = await fixture.Jobs.SubmitAsync(submission);
        return await JobWatch.Of(fixture.Jobs, submitted.JobId).WaitForEndAsync();
    }
}
