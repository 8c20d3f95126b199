using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Generator;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Generator;

/// <summary>
/// The Nexmark generator as a source. With P subtasks, split s generates the indices s, s + P, s + 2P, ...
/// (interleaved rather than in blocks, so that every subtask's event time advances together and windows
/// close as the whole stream passes them). Each split records how many events it emitted, so a checkpoint
/// restores it exactly and a restored job may run at another parallelism.
/// </summary>
public sealed class NexmarkSource : ISource<NexmarkEvent>
{
    private readonly GeneratorSource<NexmarkEvent> _generator;

    /// <param name="config">The generator's rules and seed.</param>
    /// <param name="eventCount">How many events to emit; null for an unbounded source.</param>
    /// <param name="eventsPerSecond">The most events per second the whole source emits (split evenly over its subtasks); null or 0 for as fast as possible.</param>
    /// <param name="firstEventIndex">The index of the first event: a source started at k emits what a source from 0 emits after its first k events.</param>
    /// <param name="pacedByEventTime">
    /// Emit each event no earlier than the wall-clock time its <c>dateTime</c> names (the config's base time plus its
    /// place at the config's rate): events then happen when they say they do, so a sink can measure latency from event time.
    /// </param>
    public NexmarkSource(NexmarkConfig config, long? eventCount = null, double? eventsPerSecond = null, long firstEventIndex = 0, bool pacedByEventTime = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegative(firstEventIndex);
        if (eventsPerSecond is { } rate && (!double.IsFinite(rate) || rate < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(eventsPerSecond), rate, "The rate must be a positive number of events per second, or 0 for no limit.");
        }

        NexmarkCodecs.EnsureRegistered();
        Generator = new NexmarkGenerator(config);
        EventCount = eventCount;
        EventsPerSecond = eventsPerSecond is > 0 ? eventsPerSecond : null;
        FirstEventIndex = firstEventIndex;
        var generator = Generator;
        _generator = GeneratorSource.FromIndex(i => generator.Generate(firstEventIndex + i), eventCount);
        if (pacedByEventTime)
        {
            _generator = _generator.WithPacing(static e => e.DateTime);
        }
    }

    public NexmarkGenerator Generator { get; }

    public long? EventCount { get; }

    public double? EventsPerSecond { get; }

    public long FirstEventIndex { get; }

    public bool IsBounded => _generator.IsBounded;

    public int? MaxParallelism => null;

    public ISplitSerializer SplitSerializer => _generator.SplitSerializer;

    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism) => _generator.CreateSplits(parallelism);

    public ISourceReader<NexmarkEvent> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var generator = EventsPerSecond is { } rate ? _generator.WithRateLimit(rate / context.Parallelism) : _generator;
        return generator.CreateReader(context);
    }
}
