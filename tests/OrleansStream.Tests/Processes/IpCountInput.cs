using System.Globalization;
using OrleansStream.Samples.IpCount;

namespace OrleansStream.Tests.Processes;

/// <summary>
/// An access log for the IP count job (eight IPs, the clock moving 0 to 100 ms per line, in order),
/// the counts it must produce computed independently from the file, and the counts a run committed.
/// </summary>
internal sealed class IpCountInput
{
    /// <summary>
    /// Lines of an input that a job reading <see cref="PacedRate"/> lines per second is over 16 minutes from the end of:
    /// tests that kill silos under such a job end its paced run themselves, with a savepoint, and go on from it at full
    /// speed. (The IP count's file source cannot be held by a <see cref="Fixtures.SourceGate"/>.)
    /// </summary>
    public const int LongLines = 100_000;

    /// <summary>The most lines per second a paced run reads (the jobs' <c>rate</c> parameter).</summary>
    public const int PacedRate = 100;

    private IpCountInput(string directory)
    {
        InputPath = Path.Combine(directory, "access.log");
        OutputPath = Path.Combine(directory, "out");
    }

    public string InputPath { get; }

    public string OutputPath { get; }

    public string CountsPath => Path.Combine(OutputPath, IpCountOptions.CountsDirectory);

    public static IpCountInput Write(string directory, int lines, int seed)
    {
        var input = new IpCountInput(directory);
        var random = new Random(seed);
        var time = TimeSpan.FromHours(8);
        var text = new List<string>(lines);
        for (int i = 0; i < lines; i++)
        {
            time += TimeSpan.FromMilliseconds(random.Next(0, 101));
            text.Add($"{time:hh\\:mm\\:ss} 10.0.0.{random.Next(1, 9)}");
        }

        File.WriteAllLines(input.InputPath, text);
        return input;
    }

    /// <summary>Counts per IP and 5 s window: the lines are in time order, so none is late.</summary>
    public List<string> ExpectedCounts()
        => File.ReadLines(InputPath)
            .Select(line => line.Split(' '))
            .GroupBy(parts => (Window: (long)TimeSpan.ParseExact(parts[0], @"hh\:mm\:ss", CultureInfo.InvariantCulture).TotalSeconds / 5 * 5, Ip: parts[1]))
            .Select(group => $"{TimeSpan.FromSeconds(group.Key.Window):hh\\:mm\\:ss} {group.Key.Ip} {group.Count()}")
            .Order(StringComparer.Ordinal)
            .ToList();

    public List<string> CommittedCounts() => CommittedOutput.Lines(CountsPath);

    public async Task WaitForFirstCommitAsync()
    {
        var deadline = DateTime.UtcNow + Fixtures.JobWatch.Patience;
        while (CommittedCounts().Count == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {Fixtures.JobWatch.Patience.TotalMinutes} min for the first committed window results.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
