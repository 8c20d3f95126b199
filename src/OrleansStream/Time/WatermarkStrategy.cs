namespace OrleansStream.Time;

/// <summary>
/// How a stream gets event timestamps and watermarks: a timestamp assigner, a watermark generator,
/// an optional idleness timeout after which a silent subtask stops holding back the watermark, and
/// when watermarks are emitted (periodically by default, or after every record).
/// </summary>
public sealed class WatermarkStrategy<T>
{
    private readonly Func<IWatermarkGenerator> _generatorFactory;

    private WatermarkStrategy(Func<IWatermarkGenerator> generatorFactory, Func<T, long>? timestampAssigner, TimeSpan? idleness, bool emitsPerRecord = false)
    {
        _generatorFactory = generatorFactory;
        TimestampAssigner = timestampAssigner;
        Idleness = idleness;
        EmitsPerRecord = emitsPerRecord;
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
        => new(_generatorFactory, timestampAssigner ?? throw new ArgumentNullException(nameof(timestampAssigner)), Idleness, EmitsPerRecord);

    /// <summary>A subtask that sees no record for <paramref name="timeout"/> is marked idle until it sees one.</summary>
    public WatermarkStrategy<T> WithIdleness(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return new(_generatorFactory, TimestampAssigner, timeout, EmitsPerRecord);
    }

    /// <summary>
    /// Emits the watermark right after every record that advances it instead of on the periodic tick
    /// (Flink's punctuated emission). Which records are late then depends only on the order of the
    /// records a subtask reads, not on timing, so a job replayed from a checkpoint decides the same way
    /// as the run that failed. The price is a control event, and a flush of the output buffers, per
    /// record that advances the watermark.
    /// </summary>
    public WatermarkStrategy<T> WithPerRecordEmission() => new(_generatorFactory, TimestampAssigner, Idleness, emitsPerRecord: true);

    public Func<T, long>? TimestampAssigner { get; }

    public TimeSpan? Idleness { get; }

    /// <summary>True when the watermark is emitted after every record that advances it, false for periodic emission.</summary>
    public bool EmitsPerRecord { get; }

    public IWatermarkGenerator CreateGenerator() => _generatorFactory();
}
