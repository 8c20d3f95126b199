using OrleansStream.Codecs;
using OrleansStream.Graph;
using OrleansStream.Operators;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.State;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// The operators of one vertex for one subtask, wired so that each calls the next directly. The
/// task drives the chain: input batches go to <see cref="InputDecoders"/>, lifecycle calls go to
/// every operator in chain order.
/// </summary>
internal sealed class OperatorChain : ISnapshotSource
{
    private readonly IStreamOperator[] _operators;
    private readonly Transformation[] _nodes;
    private readonly OperatorStateStore?[] _states;
    private readonly IBackpressuredOperator[] _backpressured;
    private OperatorContext[] _contexts = Array.Empty<OperatorContext>();

    private OperatorChain(Transformation[] nodes, IStreamOperator[] operators, IPayloadDecoder[] inputDecoders)
    {
        _nodes = nodes;
        _operators = operators;
        _states = new OperatorStateStore?[operators.Length];
        _backpressured = operators.OfType<IBackpressuredOperator>().ToArray();
        InputDecoders = inputDecoders;
    }

    public IReadOnlyList<IStreamOperator> Operators => _operators;

    public IStreamOperator Head => _operators[0];

    /// <summary>The source operator when this chain starts with a source, else null.</summary>
    public ISourceOperator? Source => Head as ISourceOperator;

    /// <summary>Decodes network batches into the head, one decoder per input edge (by its target input); empty for a source chain.</summary>
    public IReadOnlyList<IPayloadDecoder> InputDecoders { get; }

    public static OperatorChain Create(JobVertex vertex, INetworkOutputFactory network)
    {
        var nodes = vertex.Operators;
        var instances = new Dictionary<Transformation, IStreamOperator>();

        // Successors are created first so that each operator can be bound to what follows it.
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            instances[node] = node.Instantiate(WiringOf(node, nodes.Skip(i + 1), vertex.Outputs, instances), network);
        }

        var operators = nodes.Select(n => instances[n]).ToArray();
        var decoders = vertex.Inputs.OrderBy(e => e.TargetInput).Select(e => vertex.Head.CreateInputDecoder(operators[0], e)).ToArray();
        return new OperatorChain(nodes.ToArray(), operators, decoders);
    }

    /// <summary>
    /// The state store of the operator with <paramref name="uid"/>, or null when the chain has no such
    /// operator; the task fills the stores from a checkpoint before <see cref="Open"/>.
    /// </summary>
    public OperatorStateStore? StateOf(string uid)
    {
        int index = Array.FindIndex(_nodes, n => n.Uid == uid);
        return index < 0 ? null : _states[index];
    }

    /// <summary>Creates each operator's context and state store (before a restore fills the stores).</summary>
    public void CreateContexts(Func<Transformation, OperatorContext> contextOf)
    {
        _contexts = new OperatorContext[_operators.Length];
        for (int i = 0; i < _operators.Length; i++)
        {
            _contexts[i] = contextOf(_nodes[i]);
            _states[i] = _contexts[i].State;
        }
    }

    public void Open()
    {
        for (int i = 0; i < _operators.Length; i++)
        {
            _operators[i].Open(_contexts[i]);
        }
    }

    /// <summary>Captures every operator's state for checkpoint <paramref name="checkpointId"/>; keyed state goes into <paramref name="keyed"/>.</summary>
    public ChainSnapshot Snapshot(long checkpointId, KeyedSnapshotBuilder keyed)
    {
        var operatorState = new Dictionary<string, IReadOnlyList<byte[]>>(StringComparer.Ordinal);
        var keyedOperators = new List<string>();
        for (int i = 0; i < _operators.Length; i++)
        {
            var store = _states[i]!;
            store.SnapshotKeyedState(keyed);
            if (store.HasKeyedState)
            {
                keyedOperators.Add(store.OperatorId);
            }

            if (_operators[i] is ICheckpointedOperator checkpointed)
            {
                operatorState[store.OperatorId] = checkpointed.SnapshotOperatorState(checkpointId);
            }
        }

        return new ChainSnapshot(operatorState, keyedOperators);
    }

    /// <summary>
    /// Takes the keyed state of the key groups <paramref name="keyGroups"/> selects out of every operator, in chunks of
    /// about <paramref name="targetChunkBytes"/>: the state this subtask hands over when they move to another.
    /// </summary>
    public IReadOnlyList<KeyedStateChunk> ExtractKeyGroups(Func<int, bool> keyGroups, int targetChunkBytes)
    {
        var builder = new KeyedSnapshotBuilder();
        foreach (var store in _states)
        {
            store!.ExtractKeyGroups(builder, keyGroups);
        }

        return builder.Build(targetChunkBytes);
    }

    /// <summary>Adds key groups' state another subtask handed over (<see cref="ExtractKeyGroups"/>) to the operators it belongs to.</summary>
    public void InstallKeyGroups(IEnumerable<byte[]> chunks)
    {
        foreach (var chunk in chunks)
        {
            KeyedSnapshotBuilder.Install(chunk, StateOf);
        }
    }

    public async ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken)
    {
        foreach (var op in _operators)
        {
            if (op is ICheckpointListener listener)
            {
                await listener.NotifyCheckpointCompleteAsync(checkpointId, cancellationToken);
            }
        }
    }

    public void ProcessWatermark(long watermark) => ((IWatermarkInput)Head).ProcessWatermark(watermark);

    public void ProcessIdle(bool idle) => ((IWatermarkInput)Head).ProcessIdle(idle);

    public void OnProcessingTime(long now)
    {
        foreach (var op in _operators)
        {
            op.OnProcessingTime(now);
        }
    }

    /// <summary>Completes when every operator that holds input back (async I/O) can take more.</summary>
    public async ValueTask WaitUntilReadyAsync()
    {
        foreach (var op in _backpressured)
        {
            await op.WaitForCapacityAsync();
        }
    }

    /// <summary>Completes when every operator that holds input back (async I/O) has emitted all of it; posted results run meanwhile.</summary>
    public async ValueTask WaitUntilDrainedAsync()
    {
        foreach (var op in _backpressured)
        {
            await op.WaitUntilDrainedAsync();
        }
    }

    /// <summary>
    /// Finishes the operators root to leaf; one that still holds input (async I/O) emits all of it before
    /// what follows it finishes, so that nothing reaches an operator after its Finish.
    /// </summary>
    public async ValueTask FinishAsync()
    {
        foreach (var op in _operators)
        {
            op.Finish();
            if (op is IBackpressuredOperator holding)
            {
                await holding.WaitUntilDrainedAsync();
            }
        }
    }

    public async ValueTask CloseAsync()
    {
        List<Exception>? errors = null;
        foreach (var op in _operators)
        {
            try
            {
                await op.CloseAsync();
            }
            catch (Exception ex)
            {
                (errors ??= new()).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("Closing operators failed.", errors);
        }
    }

    /// <summary>Which chained operators and network edges read each output (main and side outputs) of <paramref name="node"/>.</summary>
    private static OutputWiring WiringOf(Transformation node, IEnumerable<Transformation> later, IReadOnlyList<JobEdge> vertexOutputs, Dictionary<Transformation, IStreamOperator> instances)
    {
        var readers = later
            .Select(n => (Node: n, Input: JobGraphTranslator.ResolveInputs(n.Inputs[0]).Single()))
            .Where(r => r.Input.Upstream == node)
            .Select(r => (Operator: instances[r.Node], Side: r.Input.SideOutput))
            .ToList();
        var edges = vertexOutputs.Where(e => e.SourceOperator == node).ToList();

        var sides = readers.Select(r => r.Side).Concat(edges.Select(e => e.SideOutput))
            .OfType<Transformation>()
            .Distinct()
            .Select(side => new SideOutputWiring(
                (ISideOutputTransformation)side,
                readers.Where(r => r.Side == side).Select(r => r.Operator).ToList(),
                edges.Where(e => e.SideOutput == side).ToList()))
            .ToList();
        return new OutputWiring(
            readers.Where(r => r.Side is null).Select(r => r.Operator).ToList(),
            edges.Where(e => e.SideOutput is null).ToList(),
            sides);
    }
}
