using OrleansStream.Api;
using OrleansStream.Connectors;

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
    public const string SourceName = "log lines";

    private static readonly string[] Ips = ["192.168.0.1", "192.168.0.2", "10.0.0.7", "172.16.4.20"];
    private static readonly long OneDay = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    public static IpCountOptions From(JobParameters parameters) => new(
        parameters.Get("input"),
        parameters.Get("output"),
        parameters.GetSeconds("window", TimeSpan.FromSeconds(5)),
        parameters.GetSeconds("out-of-orderness", TimeSpan.FromSeconds(5)),
        parameters.GetInt32("generator.seed", 42),
        parameters.GetInt64("generator.start", 0),
        parameters.Has("generator.count") ? parameters.GetInt64("generator.count", 0) : null,
        parameters.Get("generator.realtime", "false") == "true");

    /// <summary>The rejected lines go next to the output file, or to standard error.</summary>
    public string? RejectedPath => Output is null ? null : Output + ".rejected";

    public ISource<TextLine> CreateSource()
    {
        if (Input is not null)
        {
            return FileSource.NumberedLines(Input);
        }

        var generator = GeneratorSource.FromSequence(Generate, GeneratorCountPerSplit).WithSeed(GeneratorSeed);
        return GeneratorRealTime ? generator.WithPacing(NotBefore) : generator;
    }

    public ISink<string> CreateOutputSink()
        => Output is null ? new PrintSink<string>() : FileSink.ToFile<string>(Output);

    public ISink<string> CreateRejectSink()
        => RejectedPath is null ? new PrintSink<string>(writer: Console.Error) : FileSink.ToFile<string>(RejectedPath);

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
