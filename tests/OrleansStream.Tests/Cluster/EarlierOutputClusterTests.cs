using OrleansStream.Contracts.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Cluster;

/// <summary>
/// Running a job a second time into a directory that holds the first run's committed files would add a second
/// copy of its output: the cluster refuses that submission, naming the sink and the way out, unless the
/// submission says to append.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EarlierOutputClusterTests(ClusterFixture fixture) : IDisposable
{
    private const string Topology = """
        name: copy
        steps:
          - { type: source, connector: file, path: "${input}" }
          - { type: split, fields: { word: string } }
          - { name: words, type: sink, connector: files, path: "${output}" }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("earlier-output-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_second_fresh_run_into_committed_output_is_refused_and_runs_only_when_told_to_append()
    {
        string input = Path.Combine(_directory, "words.txt"), output = Path.Combine(_directory, "out");
        File.WriteAllLines(input, ["a", "b", "c"]);
        var submission = JobSubmission.ForTopology(Topology, "copy.yaml", parameters: new Dictionary<string, string> { ["input"] = input, ["output"] = output });

        Assert.Equal(JobState.Finished, (await RunAsync(submission)).State);
        var error = await Assert.ThrowsAsync<JobSubmissionException>(() => fixture.Jobs.SubmitAsync(submission));
        Assert.Equal(["a", "b", "c"], CommittedOutput.Lines(output));

        Assert.Equal(
            $"Operator 'words': '{output}' holds 1 committed part file of an earlier run. Write to another place, delete it, continue a stopped run from its savepoint, or submit with --append to add to it.",
            error.Message);
        Assert.Equal(JobState.Finished, (await RunAsync(submission with { Append = true })).State);
        Assert.Equal(["a", "a", "b", "b", "c", "c"], CommittedOutput.Lines(output));
    }

    private async Task<JobStatus> RunAsync(JobSubmission submission)
    {
        var submitted = await fixture.Jobs.SubmitAsync(submission);
        return await JobWatch.Of(fixture.Jobs, submitted.JobId).WaitForEndAsync();
    }
}
