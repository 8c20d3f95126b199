using OrleansStream.Codecs;
using OrleansStream.Operators;

namespace OrleansStream.Graph;

/// <summary>
/// One logical step of a job as the DataStream API recorded it: a source, an operator, a
/// repartitioning, or a sink. The translator turns these into a <see cref="JobGraph"/>.
/// </summary>
public abstract class Transformation
{
    private protected Transformation(int id, string name, IReadOnlyList<Transformation> inputs)
    {
        Id = id;
        Name = name;
        Inputs = inputs;
    }

    /// <summary>Position in build order: the same for the same job and parameters, so it identifies state.</summary>
    public int Id { get; }

    public string Name { get; internal set; }

    /// <summary>
    /// The stable id that the step's state is stored under, so that a savepoint finds its state again in
    /// a changed job (Flink's uid). Defaults to the build position, which is stable only while the job's
    /// steps stay the same: set it on stateful steps of jobs that will evolve.
    /// </summary>
    public string Uid
    {
        get => _uid ?? $"op{Id}";
        internal set => _uid = value;
    }

    private string? _uid;

    /// <summary>The parallelism the user asked for, if any.</summary>
    public int? Parallelism { get; internal set; }

    /// <summary>
    /// True for a step that belongs with its input, as the watermark assigner of <c>FromSource(source, watermarks)</c>
    /// belongs with its source (Flink generates those watermarks inside the source): it runs at its input's
    /// parallelism unless told otherwise, and setting its parallelism sets its input's too.
    /// </summary>
    public bool ParallelismFollowsInput { get; internal set; }

    public IReadOnlyList<Transformation> Inputs { get; }

    /// <summary>Repartitioning steps have no operator: they only shape the edge that follows.</summary>
    public virtual bool IsVirtual => false;

    /// <summary>Upper bound on parallelism imposed by the step itself (a socket source: 1).</summary>
    public virtual int? MaxParallelism => null;

    /// <summary>A parallelism the step requires (a single merged output file: 1).</summary>
    public virtual int? RequiredParallelism => null;

    public virtual bool IsSource => false;

    public virtual bool IsSink => false;

    /// <summary>
    /// Subtasks of vertices in the same slot sharing group share slots (subtask i of each in slot i);
    /// different groups get different slots. Default: "default", as in Flink.
    /// </summary>
    public string SlotSharingGroup { get; internal set; } = DefaultSlotSharingGroup;

    public const string DefaultSlotSharingGroup = "default";

    /// <summary>How the operator's (non-keyed) state items are handed to the subtasks of a restored job.</summary>
    public OperatorStateDistribution OperatorStateDistribution { get; internal set; } = OperatorStateDistribution.RoundRobin;

    /// <summary>True when the user asked this step not to be chained to the one before it.</summary>
    public bool StartsNewChain { get; internal set; }

    public override string ToString() => $"{Name} (#{Id})";

    /// <summary>Creates this step's operator for one subtask, wired to what reads its main and side outputs.</summary>
    internal abstract IStreamOperator Instantiate(OutputWiring wiring, INetworkOutputFactory network);

    /// <summary>For the head of a vertex: decodes the network batches of <paramref name="edge"/> into the operator's input.</summary>
    internal virtual IPayloadDecoder CreateInputDecoder(IStreamOperator headOperator, JobEdge edge)
        => throw new InvalidOperationException($"{this} has no network input.");

    /// <summary>
    /// A decoder for <paramref name="edge"/>'s batches into <paramref name="target"/>, with the codec the sender
    /// wrote them with: the producing operator's, or its side output's.
    /// </summary>
    private protected static IPayloadDecoder DecoderOf<T>(JobEdge edge, IOutput<T> target)
        => new RecordBatchDecoder<T>(((Transformation<T>)(edge.SideOutput ?? edge.SourceOperator)).Codec, target, edge.KeyHash as Func<T, int>);
}

/// <summary>How operator state items are spread over the subtasks of a restored, possibly rescaled, job.</summary>
public enum OperatorStateDistribution
{
    /// <summary>The items of all old subtasks are dealt round-robin over the new ones (Flink's list state): splits, pending transactions.</summary>
    RoundRobin,

    /// <summary>Every new subtask gets the items of all old subtasks (Flink's union list state): broadcast state, where each copy is whole.</summary>
    Union,
}

/// <summary>A step that produces records of type <typeparamref name="T"/>.</summary>
public abstract class Transformation<T> : Transformation
{
    private protected Transformation(int id, string name, IReadOnlyList<Transformation> inputs) : base(id, name, inputs) { }

    /// <summary>How this step's records are written when they cross to another subtask.</summary>
    public IRecordCodec<T> Codec { get; internal set; } = RecordCodec.For<T>();

    internal sealed override IStreamOperator Instantiate(OutputWiring wiring, INetworkOutputFactory network)
    {
        var main = Connect(wiring.Chained, wiring.Edges, Codec, network);
        if (wiring.SideOutputs.Count == 0)
        {
            return CreateOperator(main, SideOutputs.None);
        }

        var sides = new SideOutputs();
        foreach (var side in wiring.SideOutputs)
        {
            sides.Add(side.Transformation.CreateOutput(side.Chained, side.Edges, network));
        }

        return CreateOperator(new MainOutput<T>(main, sides.All.ToArray()), sides);
    }

    /// <summary>One output of type <typeparamref name="T"/> to all its readers: chained operators and network edges.</summary>
    internal static IOutput<T> Connect(IReadOnlyList<IStreamOperator> chained, IReadOnlyList<JobEdge> edges, IRecordCodec<T> codec, INetworkOutputFactory network)
    {
        var outputs = new List<IOutput<T>>(chained.Count + edges.Count);
        foreach (var successor in chained)
        {
            outputs.Add((IOutput<T>)successor);
        }

        foreach (var edge in edges)
        {
            outputs.Add(network.Create(edge, codec, (Func<T, int>?)edge.KeyHash));
        }

        return outputs.Count switch
        {
            0 => DiscardingOutput<T>.Instance,
            1 => outputs[0],
            _ => new FanOutOutput<T>(outputs.ToArray()),
        };
    }

    private protected abstract IStreamOperator CreateOperator(IOutput<T> output, SideOutputs sideOutputs);

    /// <summary>Binds a fresh operator to its outputs, for steps whose operator a factory makes per subtask.</summary>
    private protected static IStreamOperator Bound(StreamOperator<T> op, IOutput<T> output, SideOutputs sideOutputs)
    {
        op.Bind(output, sideOutputs);
        return op;
    }
}

/// <summary>Creates the writers that carry a chain's output to the subtasks of another vertex.</summary>
public interface INetworkOutputFactory
{
    IOutput<T> Create<T>(JobEdge edge, IRecordCodec<T> codec, Func<T, int>? keyHash);
}
