using OrleansStream.Api.Connectors;
using OrleansStream.Checkpoints;
using OrleansStream.Graph;
using OrleansStream.KeyGroups;
using OrleansStream.Time;

namespace OrleansStream.Api;

/// <summary>
/// The entry point of the DataStream API (Flink's StreamExecutionEnvironment): a job's
/// <see cref="IStreamJob.Build"/> adds sources here and chains operators on the streams they return.
/// </summary>
public sealed class StreamBuilder
{
    private readonly List<Transformation> _transformations = new();

    public StreamBuilder(JobParameters? parameters = null, int defaultParallelism = 1)
    {
        Parameters = parameters ?? JobParameters.Empty;
        DefaultParallelism = defaultParallelism;
    }

    /// <summary>The job's arguments.</summary>
    public JobParameters Parameters { get; }

    public string JobName { get; set; } = "job";

    /// <summary>Parallelism of every operator that does not set its own.</summary>
    public int DefaultParallelism { get; set; }

    /// <summary>The number of key groups: the upper bound for any operator's parallelism, fixed for the job's life.</summary>
    public int MaxParallelism { get; set; } = KeyGroupRangeAssignment.DefaultMaxParallelism;

    /// <summary>How often sources emit watermarks (Flink's auto-watermark interval).</summary>
    public TimeSpan AutoWatermarkInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often sinks flush their buffered output.</summary>
    public TimeSpan SinkFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checkpointing of the job: off until <see cref="EnableCheckpointing"/> or an interval is set.</summary>
    public CheckpointConfig Checkpointing { get; } = new();

    /// <summary>What the job does when it fails (Flink's restart strategy).</summary>
    public RestartStrategy RestartStrategy { get; set; } = RestartStrategy.Default;

    /// <summary>The job's autoscaler: off until enabled; it rescales keyed vertices toward a target utilization.</summary>
    public AutoscalerConfig Autoscaling { get; } = new();

    /// <summary>
    /// Scale to zero: once every source has read nothing for this long, the job takes a checkpoint, releases all its
    /// tasks (no activations, timers or memory in any silo) and is <c>Idle</c>; it wakes from that checkpoint when a
    /// watcher of its sources sees new input. Null (the default) never idles. Needs checkpointing, and unbounded
    /// sources that can be watched (<see cref="Connectors.IWatchableSource"/>: Redis streams, monitored files; not a socket).
    /// </summary>
    public TimeSpan? IdleTimeout { get; set; }

    public IReadOnlyList<Transformation> Transformations => _transformations;

    /// <summary>Takes a checkpoint every <paramref name="interval"/> (Flink's enableCheckpointing).</summary>
    public StreamBuilder EnableCheckpointing(TimeSpan interval, CheckpointingMode mode = CheckpointingMode.ExactlyOnce)
    {
        Checkpointing.Interval = interval;
        Checkpointing.Mode = mode;
        return this;
    }

    public DataStream<T> FromSource<T>(ISource<T> source, string name = "Source")
    {
        ArgumentNullException.ThrowIfNull(source);
        return new DataStream<T>(this, Add(id => new SourceTransformation<T>(id, name, source)));
    }

    /// <summary>Reads a source and gives its records timestamps and watermarks right at the source.</summary>
    public DataStream<T> FromSource<T>(ISource<T> source, WatermarkStrategy<T> watermarks, string name = "Source")
    {
        var stream = FromSource(source, name).AssignTimestampsAndWatermarks(watermarks);

        // SetParallelism on what this returns must set the source's: an assigner at another parallelism
        // would see the source's records interleaved out of order, and its watermarks would overtake them.
        stream.Transformation.ParallelismFollowsInput = true;
        return stream;
    }

    /// <param name="vertexParallelism">Parallelism per vertex (named by one of its operators) that replaces what the job set: a rescaled job.</param>
    public JobGraph BuildGraph(IReadOnlyDictionary<string, int>? vertexParallelism = null)
    {
        var graph = JobGraphTranslator.Translate(JobName, _transformations, DefaultParallelism, MaxParallelism, AutoWatermarkInterval, vertexParallelism);
        graph.Checkpointing = Checkpointing;
        graph.RestartStrategy = RestartStrategy;
        Autoscaling.Validate();
        graph.Autoscaling = Autoscaling;
        graph.IdleTimeout = IdleTimeout;
        graph.ValidateIdleTimeout();
        return graph;
    }

    internal TTransformation Add<TTransformation>(Func<int, TTransformation> create)
        where TTransformation : Transformation
    {
        var transformation = create(_transformations.Count);
        if (transformation.Inputs.Count > 0)
        {
            // Like Flink: an operator stays in the slot sharing group of its input unless told otherwise.
            transformation.SlotSharingGroup = transformation.Inputs[0].SlotSharingGroup;
        }

        _transformations.Add(transformation);
        return transformation;
    }
}
