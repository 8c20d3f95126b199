using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Generator;

/// <summary>
/// A deterministic generator source, created by <see cref="GeneratorSource"/>. The <c>With…</c> options
/// return a new source and leave this one unchanged, so one configured source can be shared and derived from.
/// </summary>
/// <remarks>
/// Rate limits and pacing only delay records; they never change which records a split produces, so
/// replay stays exact. Both read the clock from <see cref="TimeProvider"/>'s <c>GetUtcNow</c>.
/// </remarks>
public sealed record GeneratorSource<T> : ISource<T>
{
    internal GeneratorSource(Func<long, T> generator, long? count)
    {
        IndexGenerator = generator;
        Count = count;
    }

    internal GeneratorSource(Func<GeneratorSplitContext, IEnumerable<T>> sequence, long? countPerSplit, int? splits)
    {
        Sequence = sequence;
        Count = countPerSplit;
        FixedSplitCount = splits;
    }


    /// <summary>True when the source has a record count (<c>count</c> or <c>countPerSplit</c>).</summary>
    public bool IsBounded => Count is not null;

    public ISplitSerializer SplitSerializer => JsonSplitSerializer<GeneratorSplit>.Instance;

    public int? MaxParallelism => null;

    /// <summary>The seed given to sequence generators through <see cref="GeneratorSplitContext"/>; 0 by default.</summary>
    public int Seed { get; private init; }

    /// <summary>The most records per second each subtask emits, or null for no limit.</summary>
    public double? RateLimit { get; private init; }

    public TimeProvider TimeProvider { get; private init; } = TimeProvider.System;

    internal Func<long, T>? IndexGenerator { get; }

    internal Func<GeneratorSplitContext, IEnumerable<T>>? Sequence { get; }

    /// <summary>The total count for index generators; the count per split for sequences.</summary>
    internal long? Count { get; }

    internal int? FixedSplitCount { get; private init; }

    internal Func<T, long>? Pacing { get; private init; }

    public GeneratorSource<T> WithSeed(int seed) => this with { Seed = seed };

    /// <summary>
    /// Divides the output into <paramref name="splits"/> splits whatever the parallelism (by default one per subtask at
    /// the first start). The splits are the units that move between subtasks, so a source with more splits than subtasks
    /// can be rescaled up to that many readers. An index generator produces the same records for any split count; a
    /// sequence generator produces its sequence once per split.
    /// </summary>
    public GeneratorSource<T> WithSplits(int splits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(splits, 1);
        return this with { FixedSplitCount = splits };
    }

    /// <summary>
    /// Limits each subtask to <paramref name="recordsPerSecondPerSubtask"/> (token bucket: after t seconds of
    /// reading a subtask has emitted at most t * rate + 1 records).
    /// </summary>
    public GeneratorSource<T> WithRateLimit(double recordsPerSecondPerSubtask)
    {
        if (!double.IsFinite(recordsPerSecondPerSubtask) || recordsPerSecondPerSubtask <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(recordsPerSecondPerSubtask), recordsPerSecondPerSubtask, "The rate must be a positive number.");
        }

        return this with { RateLimit = recordsPerSecondPerSubtask };
    }

    /// <summary>
    /// Holds each record back until the wall-clock time (epoch milliseconds) it names, e.g. its event time,
    /// to replay recorded data at its original speed. A held record also holds back the rest of its split.
    /// </summary>
    public GeneratorSource<T> WithPacing(Func<T, long> notBeforeEpochMillis)
    {
        ArgumentNullException.ThrowIfNull(notBeforeEpochMillis);
        return this with { Pacing = notBeforeEpochMillis };
    }

    /// <summary>Sets the clock for rate limits and pacing; tests pass a fake one.</summary>
    public GeneratorSource<T> WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return this with { TimeProvider = timeProvider };
    }

    public IReadOnlyList<SourceSplit> CreateSplits(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        int count = FixedSplitCount ?? parallelism;
        var splits = new SourceSplit[count];
        for (int i = 0; i < count; i++)
        {
            splits[i] = GeneratorSplit.Create(i, count);
        }

        return splits;
    }

    /// <summary>Creates a reader that continues each split after the records recorded in it as emitted.</summary>
    public ISourceReader<T> CreateReader(SourceReaderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new GeneratorReader<T>(this, context.Splits);
    }
}
