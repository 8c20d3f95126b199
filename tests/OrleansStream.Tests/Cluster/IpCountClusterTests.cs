using System.Globalization;
using OrleansStream.Contracts.Cluster;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Cluster;

/// <summary>The sample job on three silos with parallelism 4, checked against a plain LINQ count of the same input.</summary>
[Collection(ClusterCollection.Name)]
public sealed class IpCountClusterTests(ClusterFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ipcount-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Counts_equal_a_linq_count_with_out_of_order_input_over_several_files()
    {
        var input = IpLogFiles.WriteOutOfOrder(Path.Combine(_directory, "logs"), files: 4, linesPerFile: 5_000, maxLatenessSeconds: 4, dated: false);
        var status = await RunAsync(input, parallelism: 4);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(IpLogFiles.ExpectedCounts(input, windowSeconds: 5), ReadOutput());
        Assert.Equal(20_000, status.RecordsOf(IpCountOptions.SourceName));
        Assert.Equal(0, status.RecordsOf(IpCountOptions.RejectedSinkName));
        Assert.Empty(File.ReadAllLines(OutputPath + ".rejected"));
    }

    [Fact]
    public async Task Dated_format_of_the_kafka_lesson_gives_dated_window_starts()
    {
        var input = IpLogFiles.WriteOutOfOrder(Path.Combine(_directory, "dated"), files: 2, linesPerFile: 2_000, maxLatenessSeconds: 3, dated: true);
        var status = await RunAsync(input, parallelism: 4);

        Assert.Equal(JobState.Finished, status.State);
        var output = ReadOutput();
        Assert.Equal(IpLogFiles.ExpectedCounts(input, windowSeconds: 5), output);
        Assert.All(output, line => Assert.Matches(@"^\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d \S+ \d+$", line));
    }

    [Fact]
    public async Task Subtasks_are_spread_over_the_silos_slots()
    {
        var input = IpLogFiles.WriteOutOfOrder(Path.Combine(_directory, "spread"), files: 1, linesPerFile: 100, maxLatenessSeconds: 0, dated: false);
        var status = await RunAsync(input, parallelism: 4);

        var silos = status.Vertices.Where(v => v.Parallelism == 4).SelectMany(v => v.Slots).Distinct().Count();
        Assert.Equal(ClusterFixture.Silos, silos);
        Assert.All(status.Vertices, v => Assert.Equal(v.Parallelism, v.FinishedSubtasks));
    }

    [Fact]
    public async Task Malformed_lines_are_reported_with_their_line_number_counted_and_the_job_goes_on()
    {
        var path = Path.Combine(_directory, "bad.log");
        File.WriteAllLines(path,
        [
            "10:00:01 10.0.0.1",
            "this is not a log line",
            "10:00:02 10.0.0.2",
            "25:61:00 10.0.0.1",
            "10:00:03 not-an-ip",
            "10:00:04 10.0.0.1",
            "",
        ]);
        var status = await RunAsync(path, parallelism: 4);

        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(["10:00:00 10.0.0.1 2", "10:00:00 10.0.0.2 1"], ReadOutput());
        Assert.Equal(4, status.RecordsOf(IpCountOptions.RejectedSinkName));
        var rejected = File.ReadAllLines(OutputPath + ".rejected").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4, rejected.Count);
        Assert.Collection(rejected,
            line => Assert.StartsWith($"{path}:2: ", line),
            line => Assert.StartsWith($"{path}:4: ", line),
            line => Assert.StartsWith($"{path}:5: ", line),
            line => Assert.StartsWith($"{path}:7: ", line));
    }

    [Fact]
    public async Task A_job_that_needs_more_slots_than_the_cluster_has_is_refused_with_both_numbers()
    {
        var input = IpLogFiles.WriteOutOfOrder(Path.Combine(_directory, "big"), files: 1, linesPerFile: 10, maxLatenessSeconds: 0, dated: false);
        var submission = JobSubmission.For<IpCountJob>(parallelism: 8, new Dictionary<string, string> { ["input"] = input, ["output"] = OutputPath });
        var error = await Assert.ThrowsAsync<InsufficientSlotsException>(() => fixture.Jobs.SubmitAsync(submission));

        Assert.Contains("needs 8 task slots", error.Message);
        Assert.Contains($"has {ClusterFixture.Silos * ClusterFixture.SlotsPerSilo} ({ClusterFixture.Silos} silos)", error.Message);
        Assert.Equal(8, error.Required);
    }

    private string OutputPath => Path.Combine(_directory, "counts.txt");

    private async Task<JobStatus> RunAsync(string input, int parallelism)
    {
        var submission = JobSubmission.For<IpCountJob>(parallelism, new Dictionary<string, string> { ["input"] = input, ["output"] = OutputPath });
        var status = await fixture.Jobs.SubmitAsync(submission);
        status = await JobWatch.Of(fixture.Jobs, status.JobId).WaitForEndAsync();
        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");
        return status;
    }

    private List<string> ReadOutput() => File.ReadAllLines(OutputPath).Order(StringComparer.Ordinal).ToList();
}

/// <summary>Writes log files and computes the expected window counts independently of the engine.</summary>
internal static class IpLogFiles
{
    /// <summary>
    /// Lines whose times go back by up to <paramref name="maxLatenessSeconds"/> behind the newest line
    /// of their file: out of order, but within the job's five-second bound.
    /// </summary>
    public static string WriteOutOfOrder(string directory, int files, int linesPerFile, int maxLatenessSeconds, bool dated)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(11);
        var start = new DateTime(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc);
        for (int f = 0; f < files; f++)
        {
            var lines = new List<string>(linesPerFile);
            for (int i = 0; i < linesPerFile; i++)
            {
                var time = start.AddMilliseconds(i * 250L).AddSeconds(-random.Next(0, maxLatenessSeconds + 1));
                string ip = $"10.{f}.{random.Next(3)}.{random.Next(17)}";
                lines.Add($"{time.ToString(dated ? "yyyy-MM-dd_HH:mm:ss" : "HH:mm:ss", CultureInfo.InvariantCulture)} {ip}");
            }

            File.WriteAllLines(Path.Combine(directory, $"part-{f}.log"), lines);
        }

        return directory;
    }

    public static List<string> ExpectedCounts(string directory, int windowSeconds)
        => Directory.GetFiles(directory)
            .SelectMany(File.ReadAllLines)
            .Select(line => line.Split(' '))
            .Select(parts => (Time: parts[0], Ip: parts[1]))
            .GroupBy(v => (Start: WindowStart(v.Time, windowSeconds), v.Ip))
            .Select(g => $"{g.Key.Start} {g.Key.Ip} {g.Count()}")
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string WindowStart(string time, int windowSeconds)
    {
        bool dated = time.Contains('_');
        var format = dated ? "yyyy-MM-dd_HH:mm:ss" : "HH:mm:ss";
        var parsed = DateTime.ParseExact(time, format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        long seconds = (long)(dated ? parsed - DateTime.UnixEpoch : parsed.TimeOfDay).TotalSeconds;
        var start = seconds - seconds % windowSeconds;
        return dated
            ? DateTime.UnixEpoch.AddSeconds(start).ToString(format, CultureInfo.InvariantCulture)
            : TimeSpan.FromSeconds(start).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }
}
