using System.Collections.Concurrent;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Generator;
using OrleansStream.Functions;

namespace OrleansStream.Benchmarks;

/// <summary>
/// A keyed job with real state for the rescale benchmark: readings of <c>keys</c> keys on a fixed schedule (record i is
/// due at <c>start</c> + i / <c>rate</c>, as from a log that fills at that rate), counted per key with a rolling count.
/// The sink measures how late each count is against its reading's due time, so a pause of any kind (a rescale, a
/// restart) shows as lateness until the backlog is worked off. Unpaced (<c>rate</c> 0) it runs as fast as it can.
/// <c>keys-order</c>: <c>sweep</c> (key = i mod keys) or <c>random</c> (a well-spread key per record); <c>splits</c>: the
/// source's splits (one per reader by default).
/// </summary>
public sealed class RescaleBenchJob : IStreamJob
{
    public void Build(StreamBuilder builder)
    {
        var parameters = builder.Parameters;
        long keys = parameters.GetInt64("keys", 1_000_000);
        double rate = parameters.GetDouble("rate", 0);
        long start = parameters.GetInt64("start", 0);
        long count = parameters.GetInt64("count", 0);
        string run = parameters.GetRequired("run");
        builder.EnableCheckpointing(TimeSpan.FromMilliseconds(parameters.GetInt64("checkpoint-ms", 5_000)));
        builder.Checkpointing.Timeout = TimeSpan.FromMinutes(2);

        // "sweep" (the default) reads the keys in the same order again and again: a table that took them in that order
        // then meets them in memory order, a layout a restored or handed-over table does not have. "random" draws each key.
        bool random = parameters.Get("keys-order", "sweep") == "random";
        var source = GeneratorSource.FromIndex(
            i => new Reading(random ? (long)(Mix((ulong)i) % (ulong)keys) : i % keys, rate > 0 ? start + (long)(i * 1_000 / rate) : 0),
            count > 0 ? count : null);
        if (rate > 0)
        {
            source = source.WithPacing(reading => reading.Due);
        }

        if (parameters.GetInt64("splits", 0) is > 0 and var splits)
        {
            source = source.WithSplits((int)splits);
        }

        builder.FromSource(source, "readings").SetParallelism(2).Uid("readings")
            .KeyBy(reading => reading.Key)
            .Aggregate(new LatestDueCount(), "count").Uid("count")
            .SinkTo(new LatenessSink<DueCount>(run, static (count, _) => count.Due), "lateness").Uid("lateness");
    }

    /// <summary>SplitMix64's finalizer: a well-spread key for each index.</summary>
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>A reading of key <see cref="Key"/> due at <see cref="Due"/> (Unix milliseconds; 0 unpaced).</summary>
public readonly record struct Reading(long Key, long Due);

/// <summary>The rolling count of a key, with the due time of the reading that made it.</summary>
public readonly record struct DueCount(long Count, long Due);

internal sealed class LatestDueCount : IAggregateFunction<Reading, DueCount, DueCount>
{
    public DueCount CreateAccumulator() => default;

    public DueCount Add(Reading value, DueCount accumulator) => new(accumulator.Count + 1, value.Due);

    public DueCount GetResult(DueCount accumulator) => accumulator;

    public DueCount Merge(DueCount a, DueCount b) => new(a.Count + b.Count, Math.Max(a.Due, b.Due));
}

/// <summary>
/// Per run, per 100 ms of wall-clock time: how many results the sink received and the latest any was against its due
/// time (<paramref name="dueOf"/>, from the result and its timestamp; 0: not timed), and the lateness of one result in
/// <paramref name="sampling"/> for percentiles. In this process: the benchmark's silo runs here.
/// </summary>
internal sealed class LatenessSink<T>(string run, Func<T, long, long> dueOf, int sampling = LatenessSink.LatencySampling) : ISink<T>
{
    public int? RequiredParallelism => null;

    public ISinkWriter<T> CreateWriter(SinkContext context) => new LatenessSink.Writer<T>(LatenessSink.Of(run), dueOf, sampling);
}

/// <summary>The timelines of <see cref="LatenessSink{T}"/> runs.</summary>
internal static class LatenessSink
{
    public const long BucketMillis = 100;

    /// <summary>One result in this many has its lateness kept for percentiles, by default.</summary>
    public const int LatencySampling = 16;

    private static readonly ConcurrentDictionary<string, Timeline> Timelines = new();

    public static Timeline Of(string run) => Timelines.GetOrAdd(run, _ => new Timeline());

    public sealed class Timeline
    {
        private readonly ConcurrentDictionary<long, Bucket> _buckets = new();
        private long _records;

        public long Records => Interlocked.Read(ref _records);

        /// <summary>Adds counts that were not timed (an unpaced run).</summary>
        public void Count(long records) => Interlocked.Add(ref _records, records);

        /// <summary>Adds what one writer saw in one 100 ms bucket.</summary>
        public void Add(long bucketIndex, long count, long maxLateness, List<long> sampled)
        {
            Interlocked.Add(ref _records, count);
            var bucket = _buckets.GetOrAdd(bucketIndex, _ => new Bucket());
            lock (bucket)
            {
                bucket.Count += count;
                bucket.MaxLateness = Math.Max(bucket.MaxLateness, maxLateness);
                bucket.Latencies.AddRange(sampled);
            }
        }

        /// <summary>The buckets from <paramref name="from"/> to <paramref name="to"/> (Unix ms), empty ones included.</summary>
        public IReadOnlyList<(long Start, long Count, long MaxLateness, List<long> Latencies)> Between(long from, long to)
        {
            var buckets = new List<(long, long, long, List<long>)>();
            for (long b = from / BucketMillis; b <= to / BucketMillis; b++)
            {
                if (_buckets.TryGetValue(b, out var bucket))
                {
                    lock (bucket)
                    {
                        buckets.Add((b * BucketMillis, bucket.Count, bucket.MaxLateness, bucket.Latencies.ToList()));
                    }
                }
                else
                {
                    buckets.Add((b * BucketMillis, 0, 0, []));
                }
            }

            return buckets;
        }

        private sealed class Bucket
        {
            public long Count;
            public long MaxLateness;
            public List<long> Latencies { get; } = new();
        }
    }

    /// <summary>
    /// Keeps what it sees in the current 100 ms bucket to itself and hands it to the timeline when the bucket changes or
    /// the sink flushes: the writers of several subtasks would otherwise contend for a lock per count, which at
    /// millions of counts a second costs more than the job.
    /// </summary>
    internal sealed class Writer<T>(Timeline timeline, Func<T, long, long> dueOf, int sampling) : ISinkWriter<T>
    {
        private const int UntimedBatch = 4_096;
        private readonly List<long> _sampled = new();
        private long _bucket = -1;
        private long _count;
        private long _maxLateness;
        private long _untimed;

        public void Write(T value, long timestamp)
        {
            long due = dueOf(value, timestamp);
            if (due == 0)
            {
                // Unpaced: only the rate counts.
                if (++_untimed == UntimedBatch)
                {
                    timeline.Count(_untimed);
                    _untimed = 0;
                }

                return;
            }

            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long bucket = now / BucketMillis;
            if (bucket != _bucket)
            {
                Publish();
                _bucket = bucket;
            }

            long lateness = now - due;
            if (_count++ % sampling == 0)
            {
                _sampled.Add(lateness);
            }

            _maxLateness = Math.Max(_maxLateness, lateness);
        }

        public void Flush()
        {
            Publish();
            timeline.Count(_untimed);
            _untimed = 0;
        }

        public ValueTask DisposeAsync()
        {
            Flush();
            return ValueTask.CompletedTask;
        }

        private void Publish()
        {
            if (_count > 0)
            {
                timeline.Add(_bucket, _count, _maxLateness, _sampled);
            }

            _sampled.Clear();
            _count = 0;
            _maxLateness = 0;
        }
    }
}
