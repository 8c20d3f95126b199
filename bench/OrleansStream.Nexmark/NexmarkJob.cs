using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Print;
using OrleansStream.Nexmark.Formats;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;
using OrleansStream.Nexmark.Queries;

namespace OrleansStream.Nexmark;

/// <summary>
/// One Nexmark query as a job: events from the generator or a JSON-lines file, the query, and its results as
/// CSV lines (<see cref="NexmarkCsv"/>) in one file, or discarded. Parameters: <see cref="NexmarkJobOptions"/>.
/// </summary>
public sealed class NexmarkJob : IStreamJob
{
    public const string SourceName = "nexmark events";
    public const string ResultSinkName = "results";
    public const string RejectedSinkName = "rejected lines";

    public void Build(StreamBuilder builder) => Build(builder, NexmarkJobOptions.From(builder.Parameters));

    public static void Build(StreamBuilder builder, NexmarkJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        NexmarkCodecs.EnsureRegistered();
        builder.JobName = $"nexmark-{options.Query.ToString().ToLowerInvariant()}";
        if (options.Parallelism is { } parallelism)
        {
            builder.DefaultParallelism = parallelism;
        }

        if (options.CheckpointInterval is { } interval)
        {
            builder.EnableCheckpointing(interval);
        }

        var events = options.FromFile ? FileEvents(builder, options) : GeneratedEvents(builder, options);
        switch (options.Query)
        {
            case NexmarkQuery.Q0:
                NexmarkQueries.Q0(events).SinkTo(Sink<Bid>(options, NexmarkCsv.Q0), ResultSinkName);
                break;
            case NexmarkQuery.Q1:
                NexmarkQueries.Q1(events).SinkTo(Sink<EuroBid>(options, NexmarkCsv.Q1), ResultSinkName);
                break;
            case NexmarkQuery.Q2:
                NexmarkQueries.Q2(events).SinkTo(Sink<AuctionPrice>(options, NexmarkCsv.Q2), ResultSinkName);
                break;
            case NexmarkQuery.Q3:
                NexmarkJoinQueries.Q3(events).SinkTo(Sink<LocalItem>(options, NexmarkCsv.Q3), ResultSinkName);
                break;
            case NexmarkQuery.Q4:
                NexmarkJoinQueries.Q4(events).SinkTo(Sink<CategoryAverage>(options, NexmarkCsv.Q4), ResultSinkName);
                break;
            case NexmarkQuery.Q5:
                NexmarkQueries.Q5(events).SinkTo(Sink<AuctionCount>(options, NexmarkCsv.Q5), ResultSinkName);
                break;
            case NexmarkQuery.Q7:
                NexmarkQueries.Q7(events).SinkTo(Sink<HighestBid>(options, NexmarkCsv.Q7), ResultSinkName);
                break;
            case NexmarkQuery.Q8:
                NexmarkJoinQueries.Q8(events).SinkTo(Sink<NewUser>(options, NexmarkCsv.Q8), ResultSinkName);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Query, "Unknown query.");
        }
    }

    private static DataStream<NexmarkEvent> GeneratedEvents(StreamBuilder builder, NexmarkJobOptions options)
    {
        var source = new NexmarkSource(options.Generator, options.Events, options.Rate);
        return AtSource(builder.FromSource(source, SourceName).Uid("nexmark-source").WithCodec(NexmarkCodecs.Event), options);
    }

    /// <summary>Events from JSON lines; malformed lines go to the rejected sink with their file and line number, and the job goes on.</summary>
    private static DataStream<NexmarkEvent> FileEvents(StreamBuilder builder, NexmarkJobOptions options)
    {
        var lines = AtSource(builder.FromSource(FileSource.NumberedLines(options.Input!), SourceName).Uid("nexmark-source"), options);
        var parsed = AtSource(lines.Map(ParsedEvent.Parse, "parse"), options);
        // Parsed lines never leave the source's subtask: only events and rejection messages cross the network.
        AtSource(AtSource(parsed.Filter(static p => !p.IsValid, "malformed"), options).Map(static p => p.Rejection!, "describe"), options)
            .SinkTo(options.Rejected is { } path ? FileSink.ToFile<string>(path) : new PrintSink<string>(writer: Console.Error), RejectedSinkName)
            .Uid("rejected-lines");
        var valid = AtSource(parsed.Filter(static p => p.IsValid, "well-formed"), options);
        return AtSource(valid.Map(static p => p.Event, "event"), options).WithCodec(NexmarkCodecs.Event);
    }

    private static DataStream<T> AtSource<T>(DataStream<T> stream, NexmarkJobOptions options)
        => options.SourceParallelism is { } p ? stream.SetParallelism(p) : stream;

    private static ISink<T> Sink<T>(NexmarkJobOptions options, Func<T, string> format)
        => options.Output is { } path ? FileSink.ToFile(path, format) : new DiscardingSink<T>();
}
