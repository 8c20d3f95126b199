using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Generator;
using OrleansStream.Connectors.RateLimit;
using OrleansStream.Connectors.Redis;
using OrleansStream.Connectors.Sockets;
using OrleansStream.Topology.Expressions;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Steps;

/// <summary>
/// <c>type: source</c>: lines of text from <c>file</c> (replayable: a file, a directory or a glob), <c>generator</c>
/// (replayable: a line expression over the index <c>i</c>), <c>redis</c> (replayable: Redis streams) or
/// <c>socket</c> (not replayable). Every line keeps where it came from, for the rejected output of the parse step.
/// </summary>
internal static class SourceStep
{
    public static LineOutput Add(StepContext step)
    {
        var settings = step.Step;
        string connector = settings.RequiredScalar("connector").Choice("file", "generator", "redis", "socket");
        // 0 means no limit, so that a file can write rate: ${rate:-0}.
        double? rate = settings.Scalar("rate") is { } limit && limit.Text != "0" ? limit.PositiveDouble() : null;
        var lines = connector switch
        {
            "file" => File(step, rate),
            "generator" => Generator(step, rate),
            "redis" => Redis(step, rate),
            _ => Socket(step, rate),
        };
        int? parallelism = step.OwnParallelism;
        return new LineOutput(StepContext.WithParallelism(lines, parallelism), step.Name, parallelism);
    }

    private static DataStream<TextLine> File(StepContext step, double? rate)
    {
        string path = step.Step.RequiredScalar("path").FilePath();
        int? splits = step.Step.Scalar("splits")?.Int(1);
        bool numbered = step.Step.Scalar("lineNumbers")?.Bool(true) ?? true;
        if (step.Step.Scalar("monitor") is { } monitor)
        {
            // New files and lines as they come, without end; lines keep their numbers.
            return From(step, FileSource.Monitor(path, monitor.Duration(allowZero: false), splits), rate);
        }

        if (numbered)
        {
            return From(step, FileSource.NumberedLines(path, splits), rate);
        }

        string fullPath = Path.GetFullPath(path);
        return Lines(step, From(step, FileSource.Lines(path, splits), rate), text => new TextLine(fullPath, 0, text));
    }

    private static DataStream<TextLine> Generator(StepContext step, double? rate)
    {
        long? count = step.Step.Scalar("count")?.Long(0);
        var schema = new RowSchema([new RowField("i", FieldType.Long)]);
        var compiler = new RowExpressions(schema);
        var expression = compiler.Parse(StepContext.Known(step.Step.RequiredScalar("line")), typeof(string))!;
        var line = compiler.Compile<string>(expression);
        string name = step.Name;
        var source = GeneratorSource.FromIndex(i =>
        {
            var index = new Row(1);
            index.SetLong(0, i);
            return new TextLine(name, i + 1, line(index));
        }, count);
        return From(step, source, rate);
    }

    private static DataStream<TextLine> Redis(StepContext step, double? rate)
    {
        string connection = step.Step.RequiredScalar("connection").String();
        var streams = step.Step.ScalarList("streams")?.Select(s => s.String()).ToList()
            ?? throw step.Error("missing required key 'streams' (the stream keys to read)");
        string field = step.Step.Scalar("field")?.String() ?? "value";
        bool bounded = step.Step.Scalar("bounded")?.Bool() ?? false;
        var source = RedisStreamSource.Create(connection, streams, entry => new TextLine(
            $"{entry.StreamKey}/{entry.Id}",
            0,
            entry[field] ?? throw new InvalidDataException($"The entry {entry.Id} of the Redis stream '{entry.StreamKey}' has no field '{field}'.")));
        return From(step, bounded ? source.AsBounded() : source, rate);
    }

    private static DataStream<TextLine> Socket(StepContext step, double? rate)
    {
        string host = step.Step.RequiredScalar("host").String();
        int port = step.Step.RequiredScalar("port").Int(1, 65535);
        string origin = $"{host}:{port}";
        return Lines(step, From(step, new SocketTextSource(host, port), rate), text => new TextLine(origin, 0, text));
    }

    private static DataStream<T> From<T>(StepContext step, ISource<T> source, double? rate)
    {
        var limited = rate is { } linesPerSecond ? new RateLimitedSource<T>(source, linesPerSecond) : source;
        return step.Builder.FromSource(limited, step.Name).Uid(step.Name);
    }

    /// <summary>Sources of plain strings get a chained step that gives each line its origin.</summary>
    private static DataStream<TextLine> Lines(StepContext step, DataStream<string> source, Func<string, TextLine> toLine)
        => StepContext.WithParallelism(source.Map(toLine, $"{step.Name}/lines").Uid($"{step.Name}/lines"), step.OwnParallelism);
}
