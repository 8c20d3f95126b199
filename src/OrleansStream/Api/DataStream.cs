using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;
using OrleansStream.Functions;
using OrleansStream.Graph;
using OrleansStream.KeyGroups;
using OrleansStream.Operators;
using OrleansStream.State;
using OrleansStream.Time;

namespace OrleansStream.Api;

/// <summary>A stream of records of type <typeparamref name="T"/>, as in Flink's DataStream.</summary>
public class DataStream<T>
{
    internal DataStream(StreamBuilder builder, Transformation<T> transformation)
    {
        Builder = builder;
        Transformation = transformation;
    }

    internal StreamBuilder Builder { get; }

    public Transformation<T> Transformation { get; }

    public DataStream<TOut> Map<TOut>(Func<T, TOut> map, string name = "Map")
    {
        ArgumentNullException.ThrowIfNull(map);
        return Then<TOut>(name, n => new MapOperator<T, TOut>(n, map));
    }

    public DataStream<TOut> FlatMap<TOut>(Action<T, ICollector<TOut>> flatMap, string name = "FlatMap")
    {
        ArgumentNullException.ThrowIfNull(flatMap);
        return Then<TOut>(name, n => new FlatMapOperator<T, TOut>(n, flatMap));
    }

    public DataStream<TOut> FlatMap<TOut>(Func<T, IEnumerable<TOut>> flatMap, string name = "FlatMap")
    {
        ArgumentNullException.ThrowIfNull(flatMap);
        return FlatMap<TOut>((value, collector) =>
        {
            foreach (var item in flatMap(value))
            {
                collector.Collect(item);
            }
        }, name);
    }

    public DataStream<T> Filter(Func<T, bool> predicate, string name = "Filter")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Then<T>(name, n => new FilterOperator<T>(n, predicate));
    }

    /// <summary>Runs <paramref name="function"/> on every element, with its timestamp, the watermark and side outputs (Flink's process on a DataStream).</summary>
    public DataStream<TOut> Process<TOut>(ProcessFunction<T, TOut> function, string name = "Process")
    {
        ArgumentNullException.ThrowIfNull(function);
        return Then<TOut>(name, n => new ProcessOperator<T, TOut>(n, function));
    }

    /// <summary>Assigns event timestamps and generates watermarks; chained to the source when parallelism allows.</summary>
    public DataStream<T> AssignTimestampsAndWatermarks(WatermarkStrategy<T> strategy, string name = "Timestamps/Watermarks")
    {
        ArgumentNullException.ThrowIfNull(strategy);
        var interval = Builder.AutoWatermarkInterval;
        return Then<T>(name, n => new TimestampsAndWatermarksOperator<T>(n, strategy, interval));
    }

    /// <summary>Partitions by key: equal keys go to the same subtask (by key group).</summary>
    public KeyedStream<T, TKey> KeyBy<TKey>(Func<T, TKey> keySelector) where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        Func<T, int> keyHash = value => StableKeyHash<TKey>.Hash(keySelector(value));
        var partition = Builder.Add(id => new PartitionTransformation<T>(id, "KeyBy", Transformation, PartitionerKind.Hash, keyHash));
        return new KeyedStream<T, TKey>(Builder, partition, keySelector);
    }

    /// <summary>
    /// The records of this stream and of <paramref name="others"/> as one stream (Flink's union): no operator,
    /// the next operator reads every input. Watermarks combine as the minimum over all of them.
    /// </summary>
    public DataStream<T> Union(params DataStream<T>[] others)
    {
        ArgumentNullException.ThrowIfNull(others);
        if (others.Length == 0)
        {
            throw new ArgumentException("Union needs at least one other stream.", nameof(others));
        }

        foreach (var other in others)
        {
            RequireSameJob(other, nameof(others));
        }

        var inputs = others.Select(o => o.Transformation).Prepend(Transformation).ToArray();
        return new DataStream<T>(Builder, Builder.Add(id => new UnionTransformation<T>(id, inputs)));
    }

    /// <summary>Connects this stream with <paramref name="other"/>, of another type, for a two-input operator (Flink's connect).</summary>
    public ConnectedStreams<T, T2> Connect<T2>(DataStream<T2> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireSameJob(other, nameof(other));
        return new ConnectedStreams<T, T2>(this, other);
    }

    /// <summary>Connects this stream with a broadcast stream: every subtask sees every broadcast element (Flink's connect with a BroadcastStream).</summary>
    public BroadcastConnectedStream<T, TBroadcast> Connect<TBroadcast>(BroadcastStream<TBroadcast> broadcast)
    {
        ArgumentNullException.ThrowIfNull(broadcast);
        RequireSameJob(broadcast.Stream, nameof(broadcast));
        return new BroadcastConnectedStream<T, TBroadcast>(this, broadcast);
    }

    /// <summary>
    /// Makes this stream a broadcast stream whose elements every subtask of the connected operator receives and
    /// keeps in the broadcast states named by <paramref name="descriptors"/> (Flink's broadcast(descriptors)).
    /// </summary>
    public BroadcastStream<T> Broadcast(params IBroadcastStateDescriptor[] descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        if (descriptors.GroupBy(d => d.Name).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new ArgumentException($"The broadcast state '{clash.Key}' is declared twice.", nameof(descriptors));
        }

        return new BroadcastStream<T>(Broadcast(), descriptors);
    }

    /// <summary>Joins this stream with <paramref name="other"/> by key within windows (Flink's join): <c>.Where(..).EqualTo(..).Window(..).Apply(..)</c>.</summary>
    public WindowJoinBuilder<T, T2> Join<T2>(DataStream<T2> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireSameJob(other, nameof(other));
        return new WindowJoinBuilder<T, T2>(this, other, coGroup: false);
    }

    /// <summary>Co-groups this stream with <paramref name="other"/> by key within windows (Flink's coGroup), for outer joins and the like.</summary>
    public WindowJoinBuilder<T, T2> CoGroup<T2>(DataStream<T2> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireSameJob(other, nameof(other));
        return new WindowJoinBuilder<T, T2>(this, other, coGroup: true);
    }

    /// <summary>Spreads records round-robin over the next operator's subtasks.</summary>
    public DataStream<T> Rebalance() => Partition(PartitionerKind.Rebalance, "Rebalance");

    /// <summary>Sends every record to every subtask of the next operator.</summary>
    public DataStream<T> Broadcast() => Partition(PartitionerKind.Broadcast, "Broadcast");

    /// <summary>Subtask i sends to subtask i; requires equal parallelism.</summary>
    public DataStream<T> Forward() => Partition(PartitionerKind.Forward, "Forward");

    public DataStreamSink<T> SinkTo(ISink<T> sink, string name = "Sink")
    {
        ArgumentNullException.ThrowIfNull(sink);
        var flush = Builder.SinkFlushInterval;
        return new DataStreamSink<T>(Builder.Add(id => new SinkTransformation<T>(id, name, Transformation, sink, flush)));
    }

    /// <summary>
    /// The records the operator that produced this stream emitted to <paramref name="tag"/> (Flink's
    /// getSideOutput), such as the late records of a window with <see cref="WindowedStream{T, TKey}.SideOutputLateData"/>.
    /// The side output is a stream like any other: chained to the operator when it can be, else sent over the network.
    /// </summary>
    public DataStream<TSide> GetSideOutput<TSide>(OutputTag<TSide> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var producer = RequirePhysical("GetSideOutput");
        return new DataStream<TSide>(Builder, Builder.Add(id => new SideOutputTransformation<TSide>(id, producer, tag)));
    }

    /// <summary>Sets the parallelism of the operator that produced this stream.</summary>
    public DataStream<T> SetParallelism(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var operatorStep = RequirePhysical("SetParallelism");
        operatorStep.Parallelism = parallelism;
        if (operatorStep.ParallelismFollowsInput)
        {
            operatorStep.Inputs[0].Parallelism = parallelism;
        }

        return this;
    }

    /// <summary>Names the operator that produced this stream (shown in the plan, errors and metrics).</summary>
    public DataStream<T> Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Transformation.Name = name;
        return this;
    }

    /// <summary>Sets the id the operator's state is stored under in checkpoints and savepoints (see <see cref="Transformation.Uid"/>).</summary>
    public DataStream<T> Uid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        RequirePhysical("Uid").Uid = uid;
        return this;
    }

    /// <summary>Starts a new chain at the operator that produced this stream (it gets its own task).</summary>
    public DataStream<T> StartNewChain()
    {
        RequirePhysical("StartNewChain").StartsNewChain = true;
        return this;
    }

    /// <summary>
    /// Puts the operator that produced this stream (and what follows it, unless set again) into a slot
    /// sharing group: groups do not share task slots, so their subtasks run in different slots.
    /// </summary>
    public DataStream<T> SlotSharingGroup(string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        RequirePhysical("SlotSharingGroup").SlotSharingGroup = group;
        return this;
    }

    /// <summary>Uses <paramref name="codec"/> for this stream's records when they cross subtasks.</summary>
    public DataStream<T> WithCodec(IRecordCodec<T> codec)
    {
        Transformation.Codec = codec ?? throw new ArgumentNullException(nameof(codec));
        return this;
    }

    private protected DataStream<TOut> Then<TOut>(string name, Func<string, OneInputOperator<T, TOut>> factory)
        => new(Builder, Builder.Add(id => new OneInputTransformation<T, TOut>(id, name, Transformation, factory)));

    private protected void RequireSameJob<TOther>(DataStream<TOther> other, string parameter)
    {
        if (other.Builder != Builder)
        {
            throw new ArgumentException("The streams belong to different jobs (different StreamBuilders); an operator can only read streams of its own job.", parameter);
        }
    }

    private DataStream<T> Partition(PartitionerKind kind, string name)
        => new(Builder, Builder.Add(id => new PartitionTransformation<T>(id, name, Transformation, kind, null)));

    private Transformation RequirePhysical(string what)
        => Transformation.IsVirtual
            ? throw new InvalidOperationException($"{what} applies to an operator, but this stream comes from '{Transformation.Name}', which is not one (a repartitioning step or a side output).")
            : Transformation;
}

/// <summary>The end of a stream in a sink.</summary>
public sealed class DataStreamSink<T>
{
    internal DataStreamSink(SinkTransformation<T> transformation) => Transformation = transformation;

    public SinkTransformation<T> Transformation { get; }

    public DataStreamSink<T> SetParallelism(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        Transformation.Parallelism = parallelism;
        return this;
    }

    public DataStreamSink<T> Name(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Transformation.Name = name;
        return this;
    }

    /// <summary>Sets the id the sink's state (its pending transactions) is stored under.</summary>
    public DataStreamSink<T> Uid(string uid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uid);
        Transformation.Uid = uid;
        return this;
    }
}
