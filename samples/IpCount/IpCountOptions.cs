using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.Print;
using OrleansStream.Connectors.RateLimit;
using OrleansStream.Functions;
using OrleansStream.Time;

namespace OrleansStream.Samples.IpCount;

/// <summary>The IP count job's parameters, read from the job's <see cref="JobParameters"/>.</summary>
public sealed record IpCountOptions(
    string? Input,
    string? Output,
    TimeSpan Window,
    TimeSpan OutOfOrderness,
    int GeneratorSeed,
    long GeneratorStart,
    long? GeneratorCountPerSplit,
    bool GeneratorRealTime)
{
    public const string OutputSinkName = "window counts";
    public const string RejectedSinkName = "rejected lines";
    public const string LateSinkName = "late visits";
    public const string SourceName = "log lines";

    /// <summary>Where the exactly-once mode commits each kind of output, under the output directory.</summary>
    public const string CountsDirectory = "counts";
    public const string LateDirectory = "late";
    public const string RejectedDirectory = "rejected";

    /// <summary>Visits behind the watermark by more than the allowed lateness.</summary>
    public static readonly OutputTag<Visit> LateVisits = new("late-visits");

    private static readonly string[] Ips = ["192.168.0.1", "192.168.0.2", "10.0.0.7", "172.16.4.20"];
    private static readonly long OneDay = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    /// <summary>
    /// Checkpoints, allowed lateness with a late side output, per-record watermarks and transactional
    /// sinks into the directories under <see cref="Output"/>: the committed output is the same with or
    /// without failures.
    /// </summary>
    public bool ExactlyOnce { get; init; }

    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Parallelism of the source and of everything up to the watermarks; the job's when null.</summary>
    public int? SourceParallelism { get; init; }

    /// <summary>The most lines per second each source subtask reads, or null for no limit.</summary>
    public double? Rate { get; init; }

    public static IpCountOptions From(JobParameters parameters)
    {
        var options = new IpCountOptions(
            parameters.Get("input"),
            parameters.Get("output"),
            parameters.GetSeconds("window", TimeSpan.FromSeconds(5)),
            parameters.GetSeconds("out-of-orderness", TimeSpan.FromSeconds(5)),
            parameters.GetInt32("generator.seed", 42),
            parameters.GetInt64("generator.start", 0),
            parameters.Has("generator.count") ? parameters.GetInt64("generator.count", 0) : null,
            parameters.Get("generator.realtime", "false") == "true")
        {
            ExactlyOnce = parameters.Get("exactly-once", "false") == "true",
            AllowedLateness = parameters.GetSeconds("allowed-lateness", TimeSpan.FromSeconds(5)),
            CheckpointInterval = parameters.GetSeconds("checkpoint-interval", TimeSpan.FromSeconds(10)),
            SourceParallelism = parameters.Has("source-parallelism") ? parameters.GetInt32("source-parallelism", 1) : null,
            Rate = parameters.Has("rate") ? parameters.GetDouble("rate", 0) : null,
        };
        options.Validate();
        return options;
    }

    /// <summary>The rejected lines go next to the output file, or to standard error.</summary>
    public string? RejectedPath => Output is null ? null : Output + ".rejected";

    public ISource<TextLine> CreateSource()
    {
        ISource<TextLine> source;
        if (Input is not null)
        {
            source = FileSource.NumberedLines(Input);
        }
        else
        {
            var generator = GeneratorSource.FromSequence(Generate, GeneratorCountPerSplit).WithSeed(GeneratorSeed);
            source = GeneratorRealTime ? generator.WithPacing(NotBefore) : generator;
        }

        return Rate is { } rate ? new RateLimitedSource<TextLine>(source, rate) : source;
    }

    /// <summary>
    /// Watermarks trail the newest line by the out-of-orderness. In exactly-once mode they follow every
    /// line, so which lines are late depends on their order only and a replay after a failure agrees.
    /// </summary>
    public WatermarkStrategy<Visit> Watermarks()
    {
        var strategy = WatermarkStrategy<Visit>.ForBoundedOutOfOrderness(OutOfOrderness).WithTimestampAssigner(v => v.Timestamp);
        return ExactlyOnce ? strategy.WithPerRecordEmission() : strategy;
    }

    public ISink<string> CreateOutputSink()
        => ExactlyOnce ? FileSink.ForRowFormat<string>(Path.Combine(Output!, CountsDirectory))
            : Output is null ? new PrintSink<string>() : FileSink.ToFile<string>(Output);

    public ISink<string> CreateRejectSink()
        => ExactlyOnce ? FileSink.ForRowFormat<string>(Path.Combine(Output!, RejectedDirectory))
            : RejectedPath is null ? new PrintSink<string>(writer: Console.Error) : FileSink.ToFile<string>(RejectedPath);

    /// <summary>Late visits as log lines, <c>&lt;time&gt; &lt;ip&gt;</c>, committed with the rest (exactly-once mode only).</summary>
    public ISink<Visit> CreateLateSink()
        => FileSink.ForRowFormat<Visit>(Path.Combine(Output!, LateDirectory), v => $"{LogTime.Format(v.Timestamp)} {v.Ip}");

    private void Validate()
    {
        if (ExactlyOnce && Output is null)
        {
            throw new ArgumentException("The exactly-once mode needs an output directory: set the job parameter 'output'.");
        }

        if (AllowedLateness < TimeSpan.Zero)
        {
            throw new ArgumentException($"The job parameter 'allowed-lateness' must not be negative; it is {AllowedLateness.TotalSeconds} s.");
        }

        if (CheckpointInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The job parameter 'checkpoint-interval' must be positive; it is {CheckpointInterval.TotalSeconds} s.");
        }

        if (SourceParallelism is < 1)
        {
            throw new ArgumentException($"The job parameter 'source-parallelism' must be at least 1; it is {SourceParallelism}.");
        }

        if (Rate is { } rate && (!double.IsFinite(rate) || rate <= 0))
        {
            throw new ArgumentException($"The job parameter 'rate' must be a positive number of lines per second; it is {rate}.");
        }
    }

    /// <summary>Like the lesson's generator: four client IPs, a visit every 0–100 ms, times of day.</summary>
    private IEnumerable<TextLine> Generate(GeneratorSplitContext split)
    {
        long time = GeneratorStart;
        for (long line = 1; ; line++)
        {
            time += split.Random.Next(0, 101);
            yield return new TextLine("generator", line, $"{LogTime.Format(time % OneDay)} {Ips[split.Random.Next(Ips.Length)]}");
        }
    }

    /// <summary>In real time a generated line is not emitted before the wall-clock time it shows.</summary>
    private long NotBefore(TextLine line)
    {
        LogTime.TryParse(line.Text.AsSpan(0, 8), out long timeOfDay);
        long dayStart = GeneratorStart - GeneratorStart % OneDay;
        long at = dayStart + timeOfDay;
        return at < GeneratorStart - 1000 ? at + OneDay : at;
    }
}
