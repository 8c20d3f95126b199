using System.Globalization;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Samples.IpCount;
using OrleansStream.Tests.Cluster;
using OrleansStream.Tests.Fixtures;
using Xunit.Abstractions;

namespace OrleansStream.Tests.Topology;

/// <summary>
/// Every kind of step on a real cluster, over a fixed file of orders: split parsing with a rejected sink,
/// filter, select, watermarks, a tumbling window keyed by two fields with all aggregates, and a sliding window
/// on a branch. The outputs are compared with LINQ over the same file.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TopologyStepsClusterTests(ClusterFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string Topology = """
        name: orders
        parallelism: 2
        steps:
          - name: lines
            type: source
            connector: file
            path: ${input}
            parallelism: 1
          - name: parse
            type: split
            delimiter: ","
            fields:
              at: { type: timestamp, format: "yyyy-MM-dd'T'HH:mm:ss" }
              user: string
              region: string
              amount: double
              items: long
              paid: bool
            rejected: { connector: file, path: "${output}/rejected.txt" }
          - name: paid
            type: filter
            expression: paid && items > 0
          - name: enrich
            type: select
            fields:
              at: at
              user: user
              region: region.ToUpperInvariant()
              amount: amount
              items: items
              first: at
          - name: timestamps
            type: watermarks
            timestamp: at
            outOfOrderness: 2s
          - name: per-user
            type: window
            keyBy: [user, region]
            window: tumbling
            size: 10s
            aggregates:
              orders: count()
              items: sum(items)
              total: sum(amount)
              smallest: min(amount)
              largest: max(items)
              mean: avg(amount)
              first: min(first)
          - name: per-user-out
            type: sink
            connector: files
            path: ${output}/per-user
            format: "{window_start:HH:mm:ss} {window_end:HH:mm:ss} {user} {region} {orders} {items} {total:F2} {smallest:F2} {largest} {mean:F4} {first:HH:mm:ss}"
          - name: per-region
            type: window
            input: timestamps
            keyBy: region
            window: sliding
            size: 20s
            slide: 10s
            aggregates: { orders: count() }
          - name: per-region-out
            type: sink
            connector: files
            path: ${output}/per-region
        """;

    private static readonly string[] Users = ["ann", "bob", "cy"];
    private static readonly string[] Regions = ["eu", "us"];
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly string _directory = Directory.CreateTempSubdirectory("topology-steps-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Every_step_computes_what_LINQ_computes_over_the_same_file()
    {
        string input = Path.Combine(_directory, "orders.csv");
        string outputDirectory = Path.Combine(_directory, "out");
        string topology = Path.Combine(_directory, "orders.yaml");
        File.WriteAllText(topology, Topology);
        var (orders, malformed) = WriteInput(input);

        var submitted = await fixture.Jobs.SubmitAsync(JobSubmission.For<TopologyFileJob>(1, new Dictionary<string, string>
        {
            ["topology"] = topology,
            ["input"] = input,
            ["output"] = outputDirectory,
        }));
        var status = await JobWatch.Of(fixture.Jobs, submitted.JobId).WaitForEndAsync();
        output.WriteLine($"{status.State}: {status.Failure}");
        Assert.True(status.State == JobState.Finished, $"Job ended {status.State}: {status.Failure}");

        var kept = orders.Where(o => o.Paid && o.Items > 0).ToList();
        Assert.True(kept.Count < orders.Count, "the filter should drop some orders");
        var perUser = kept
            .GroupBy(o => (Start: Floor(o.At, 10), o.User, Region: o.Region.ToUpperInvariant()))
            .Select(g => string.Create(CultureInfo.InvariantCulture,
                $"{g.Key.Start:HH:mm:ss} {g.Key.Start.AddSeconds(10):HH:mm:ss} {g.Key.User} {g.Key.Region} {g.Count()} {g.Sum(o => o.Items)} {g.Sum(o => o.Amount):F2} {g.Min(o => o.Amount):F2} {g.Max(o => o.Items)} {g.Average(o => o.Amount):F4} {g.Min(o => o.At):HH:mm:ss}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(perUser, CommittedOutput.Lines(Path.Combine(outputDirectory, "per-user")));

        var perRegion = kept
            .SelectMany(o => new[] { Floor(o.At, 10), Floor(o.At, 10).AddSeconds(-10) }.Select(start => (Start: start, Region: o.Region.ToUpperInvariant())))
            .GroupBy(w => w)
            .Select(g => $"{g.Key.Start:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {g.Key.Start.AddSeconds(20):yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {g.Key.Region} {g.Count()}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(perRegion, CommittedOutput.Lines(Path.Combine(outputDirectory, "per-region")));

        var rejected = File.ReadAllLines(Path.Combine(outputDirectory, "rejected.txt")).Order(StringComparer.Ordinal);
        Assert.Equal(malformed.Select(m => $"{input}:{m.Line}: {m.Reason}: {m.Text}").Order(StringComparer.Ordinal), rejected);
    }

    private static DateTime Floor(DateTime time, int seconds) => new(time.Ticks - time.Ticks % TimeSpan.FromSeconds(seconds).Ticks, DateTimeKind.Utc);

    private static (List<Order> Orders, List<(int Line, string Reason, string Text)> Malformed) WriteInput(string path)
    {
        var random = new Random(11);
        var orders = new List<Order>();
        var malformed = new List<(int, string, string)>();
        var lines = new List<string>();
        var at = Start;
        for (int line = 1; line <= 1_500; line++)
        {
            at = at.AddMilliseconds(random.Next(0, 400));
            var order = new Order(at, Users[random.Next(Users.Length)], Regions[random.Next(Regions.Length)], random.Next(0, 10_000) / 100.0, random.Next(0, 5), random.Next(4) > 0);
            string text = string.Create(CultureInfo.InvariantCulture, $"{order.At:yyyy-MM-dd'T'HH:mm:ss},{order.User},{order.Region},{order.Amount},{order.Items},{(order.Paid ? "true" : "false")}");
            switch (line % 250)
            {
                case 7:
                    text = text.Replace(",true", ",maybe", StringComparison.Ordinal).Replace(",false", ",maybe", StringComparison.Ordinal);
                    malformed.Add((line, "paid is not a bool", text));
                    break;
                case 99:
                    text = text[..text.LastIndexOf(',')];
                    malformed.Add((line, "expected 6 fields separated by ',', got 5", text));
                    break;
                case 123:
                    text = "12:00 " + text;
                    malformed.Add((line, "at is not a timestamp (yyyy-MM-dd'T'HH:mm:ss)", text));
                    break;
                default:
                    orders.Add(order);
                    break;
            }

            lines.Add(text);
        }

        File.WriteAllLines(path, lines);
        return (orders, malformed);
    }

    private sealed record Order(DateTime At, string User, string Region, double Amount, long Items, bool Paid);
}
