using System.Text;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Checkpoints;

namespace OrleansStream.Graph;

/// <summary>
/// A job ready to run: vertices (chains of operators) with a parallelism, connected by edges with a
/// partitioner. Built by <see cref="JobGraphTranslator"/> from what the DataStream API recorded.
/// </summary>
public sealed class JobGraph
{
    internal JobGraph(string jobName, int maxParallelism, TimeSpan autoWatermarkInterval, IReadOnlyList<JobVertex> vertices, IReadOnlyList<JobEdge> edges)
    {
        JobName = jobName;
        MaxParallelism = maxParallelism;
        AutoWatermarkInterval = autoWatermarkInterval;
        Vertices = vertices;
        Edges = edges;
    }

    public string JobName { get; }

    /// <summary>The number of key groups; fixed for the life of the job so that state can be re-split.</summary>
    public int MaxParallelism { get; }

    public TimeSpan AutoWatermarkInterval { get; }

    public CheckpointConfig Checkpointing { get; internal set; } = new();

    public RestartStrategy RestartStrategy { get; internal set; } = RestartStrategy.Default;

    public AutoscalerConfig Autoscaling { get; internal set; } = new();

    /// <summary>How long the sources may read nothing before the job idles (<see cref="StreamBuilder.IdleTimeout"/>); null never.</summary>
    public TimeSpan? IdleTimeout { get; internal set; }

    /// <summary>The sources' input watchers of an idle job, one per source vertex in the graph's order.</summary>
    public IEnumerable<(JobVertex Vertex, IWatchableSource Source)> WatchableSources()
    {
        foreach (var vertex in Vertices)
        {
            if (vertex.Head is ISourceTransformation { Connector: IWatchableSource { CanWatchInput: true } source })
            {
                yield return (vertex, source);
            }
        }
    }

    /// <summary>An idle timeout needs checkpoints to wake from, and sources that never end and can be watched.</summary>
    /// <summary>
    /// Refuses a fresh start into a destination that holds an earlier job's committed output (<see cref="IEarlierOutputCheck"/>):
    /// a second run of a job would add a second copy of it.
    /// </summary>
    /// <exception cref="JobGraphException">A sink's destination holds earlier output; the message names the sink and what to do.</exception>
    public void CheckNoEarlierOutput()
    {
        foreach (var sink in Vertices.SelectMany(v => v.Operators).Where(o => o.IsSink))
        {
            if (((ISinkTransformation)sink).Connector is IEarlierOutputCheck check && check.DescribeEarlierOutput() is { } earlier)
            {
                throw new JobGraphException(sink.Name,
                    $"{earlier} of an earlier run. Write to another place, delete it, continue a stopped run from its savepoint, or submit with --append to add to it.");
            }
        }
    }

    internal void ValidateIdleTimeout()
    {
        if (IdleTimeout is not { } timeout)
        {
            return;
        }

        if (timeout <= TimeSpan.Zero)
        {
            throw new JobGraphException($"The idle timeout must be positive; was {timeout}.");
        }

        if (!Checkpointing.IsEnabled)
        {
            throw new JobGraphException("An idle timeout needs checkpointing: an idle job wakes from the checkpoint it took as it went idle.");
        }

        foreach (var vertex in Vertices.Where(v => v.IsSource))
        {
            var source = (ISourceTransformation)vertex.Head;
            if (source.Connector is not IWatchableSource { CanWatchInput: true })
            {
                throw new JobGraphException($"Source '{vertex.Head.Name}' ({source.Connector}) cannot be watched for input while the job is idle, so the job cannot have an idle timeout.");
            }

            if (source.IsBounded)
            {
                throw new JobGraphException($"Source '{vertex.Head.Name}' is bounded: the job ends with its input, so it cannot have an idle timeout.");
            }
        }
    }

    /// <summary>Vertices in topological order: every edge goes from an earlier vertex to a later one.</summary>
    public IReadOnlyList<JobVertex> Vertices { get; }

    public IReadOnlyList<JobEdge> Edges { get; }

    /// <summary>
    /// Task slots the job needs. Within a slot sharing group subtask i of every vertex shares slot i
    /// (Flink's default), so a group needs its largest parallelism; groups do not share slots.
    /// </summary>
    public int RequiredSlots => SlotGroups().Sum(g => g.Slots);

    /// <summary>The slot (0 to <see cref="RequiredSlots"/> - 1) of a subtask.</summary>
    public int SlotOf(JobVertex vertex, int subtask)
    {
        int offset = 0;
        foreach (var (group, slots) in SlotGroups())
        {
            if (group == vertex.SlotSharingGroup)
            {
                return offset + subtask;
            }

            offset += slots;
        }

        throw new ArgumentException($"Vertex {vertex} is not part of this job.", nameof(vertex));
    }

    private IEnumerable<(string Group, int Slots)> SlotGroups()
        => Vertices.GroupBy(v => v.SlotSharingGroup).Select(g => (g.Key, g.Max(v => v.Parallelism)));

    public JobVertex Vertex(int id) => Vertices.First(v => v.Id == id);

    /// <summary>The vertex that holds an operator named <paramref name="name"/>, or is named so; null when none does.</summary>
    public JobVertex? FindVertex(string name)
        => Vertices.FirstOrDefault(v => v.Name == name) ?? Vertices.FirstOrDefault(v => v.Operators.Any(o => o.Name == name));

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"Job '{JobName}' (max parallelism {MaxParallelism}, {RequiredSlots} slots)");
        foreach (var vertex in Vertices)
        {
            text.AppendLine($"  [{vertex.Id}] {vertex.Name} x{vertex.Parallelism}");
            foreach (var edge in vertex.Outputs)
            {
                string side = edge.SideOutput is ISideOutputTransformation tagged ? $" (side output '{tagged.TagId}')" : "";
                text.AppendLine($"      -> [{edge.Target.Id}] {edge.Partitioner}{side}");
            }
        }

        return text.ToString();
    }
}

/// <summary>A chain of operators that runs as one task per subtask, the operators calling each other directly.</summary>
public sealed class JobVertex
{
    private readonly List<JobEdge> _inputs = new();
    private readonly List<JobEdge> _outputs = new();

    internal JobVertex(int id, int parallelism, Transformation head)
    {
        Id = id;
        Parallelism = parallelism;
        Operators = new List<Transformation> { head };
    }

    public int Id { get; }

    public string Name => string.Join(" -> ", Operators.Select(o => o.IsSource ? $"Source: {o.Name}" : o.IsSink ? $"Sink: {o.Name}" : o.Name));

    public int Parallelism { get; }

    /// <summary>The chained operators, head first, each after the one it reads from.</summary>
    public IReadOnlyList<Transformation> Operators { get; }

    public Transformation Head => Operators[0];

    public bool IsSource => Head.IsSource;

    public string SlotSharingGroup => Head.SlotSharingGroup;

    public IReadOnlyList<JobEdge> Inputs => _inputs;

    public IReadOnlyList<JobEdge> Outputs => _outputs;

    internal void Chain(Transformation transformation) => ((List<Transformation>)Operators).Add(transformation);

    internal void AddInput(JobEdge edge) => _inputs.Add(edge);

    internal void AddOutput(JobEdge edge) => _outputs.Add(edge);

    public override string ToString() => $"{Name} (vertex {Id})";
}

/// <summary>A connection between vertices: records of <see cref="SourceOperator"/> go to the target's subtasks.</summary>
public sealed class JobEdge
{
    internal JobEdge(int id, JobVertex source, Transformation sourceOperator, JobVertex target, int targetInput, int logicalInput, PartitionerKind partitioner, Delegate? keyHash, Transformation? sideOutput = null)
    {
        LogicalInput = logicalInput;
        Id = id;
        Source = source;
        SourceOperator = sourceOperator;
        SideOutput = sideOutput;
        Target = target;
        TargetInput = targetInput;
        Partitioner = partitioner;
        KeyHash = keyHash;
    }

    public int Id { get; }

    public JobVertex Source { get; }

    /// <summary>The operator of the source chain whose output this edge carries.</summary>
    public Transformation SourceOperator { get; }

    /// <summary>The side output step (a <see cref="SideOutputTransformation{T}"/>) whose records this edge carries, or null for the operator's main output.</summary>
    public Transformation? SideOutput { get; }

    public JobVertex Target { get; }

    /// <summary>The edge's position among the target's inputs: its channels' input number in envelopes.</summary>
    public int TargetInput { get; }

    /// <summary>Which input of the target's head operator the records feed: 0, or 1 for the second input of a two-input operator.</summary>
    public int LogicalInput { get; }

    public PartitionerKind Partitioner { get; }

    /// <summary>For hash edges, a <c>Func&lt;T, int&gt;</c> computing the stable key hash of a record.</summary>
    public Delegate? KeyHash { get; }

    /// <summary>The upstream subtasks that send to each target subtask: one for forward edges, all otherwise.</summary>
    public IEnumerable<int> SendersOf(int targetSubtask)
        => Partitioner == PartitionerKind.Forward ? new[] { targetSubtask } : Enumerable.Range(0, Source.Parallelism);
}
