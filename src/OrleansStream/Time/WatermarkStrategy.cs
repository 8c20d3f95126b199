namespace OrleansStream.Time;

/// <summary>
/// How a stream gets event timestamps and watermarks: a timestamp assigner, a watermark generator
/// and an optional idleness timeout after which a silent subtask stops holding back the watermark.
/// </summary>
public sealed class WatermarkStrategy<T>
{
    private readonly Func<IWatermarkGenerator> _generatorFactory;

    private WatermarkStrategy(Func<IWatermarkGenerator> generatorFactory, Func<T, long>? timestampAssigner, TimeSpan? idleness)
    {
        _generatorFactory = generatorFactory;
        TimestampAssigner = timestampAssigner;
        Idleness = idleness;
    }

    /// <summary>Watermarks trail the highest timestamp seen by <paramref name="maxOutOfOrderness"/>.</summary>
    public static WatermarkStrategy<T> ForBoundedOutOfOrderness(TimeSpan maxOutOfOrderness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutOfOrderness, TimeSpan.Zero);
        return new(() => new BoundedOutOfOrdernessWatermarks(maxOutOfOrderness), null, null);
    }

    /// <summary>Timestamps never go backwards within a source subtask.</summary>
    public static WatermarkStrategy<T> ForMonotonousTimestamps() => ForBoundedOutOfOrderness(TimeSpan.Zero);

    /// <summary>Takes the event timestamp (epoch milliseconds) from each record.</summary>
    public WatermarkStrategy<T> WithTimestampAssigner(Func<T, long> timestampAssigner)
        => new(_generatorFactory, timestampAssigner ?? throw new ArgumentNullException(nameof(timestampAssigner)), Idleness);

    /// <summary>A subtask that sees no record for <paramref name="timeout"/> is marked idle until it sees one.</summary>
    public WatermarkStrategy<T> WithIdleness(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return new(_generatorFactory, TimestampAssigner, timeout);
    }

    public Func<T, long>? TimestampAssigner { get; }

    public TimeSpan? Idleness { get; }

    public IWatermarkGenerator CreateGenerator() => _generatorFactory();
}
