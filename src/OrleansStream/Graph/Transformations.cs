using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;
using OrleansStream.Operators;

namespace OrleansStream.Graph;

/// <summary>A source step without its record type: what the job needs to know of its connector.</summary>
public interface ISourceTransformation
{
    /// <summary>The source connector (an <see cref="ISource{T}"/>).</summary>
    object Connector { get; }

    bool IsBounded { get; }
}

/// <summary>Reads from a source.</summary>
public sealed class SourceTransformation<T> : Transformation<T>, ISourceTransformation
{
    internal SourceTransformation(int id, string name, ISource<T> source) : base(id, name, Array.Empty<Transformation>())
        => Source = source;

    public ISource<T> Source { get; }

    object ISourceTransformation.Connector => Source;

    bool ISourceTransformation.IsBounded => Source.IsBounded;

    public override bool IsSource => true;

    public override int? MaxParallelism => Source.MaxParallelism;

    private protected override IStreamOperator CreateOperator(IOutput<T> output, SideOutputs sideOutputs)
    {
        var source = new SourceOperator<T>(Name, Source);
        source.Bind(output);
        return source;
    }
}

/// <summary>An operator with one input, created fresh for every subtask by a factory.</summary>
public class OneInputTransformation<TIn, TOut> : Transformation<TOut>
{
    private readonly Func<string, OneInputOperator<TIn, TOut>> _factory;

    internal OneInputTransformation(int id, string name, Transformation<TIn> input, Func<string, OneInputOperator<TIn, TOut>> factory)
        : base(id, name, new[] { input })
    {
        _factory = factory;
    }

    private protected override IStreamOperator CreateOperator(IOutput<TOut> output, SideOutputs sideOutputs)
        => Bound(_factory(Name), output, sideOutputs);

    internal override IPayloadDecoder CreateInputDecoder(IStreamOperator headOperator, JobEdge edge)
        => DecoderOf(edge, (IOutput<TIn>)headOperator);
}

/// <summary>An operator with two inputs (connected streams, joins), created fresh for every subtask by a factory.</summary>
public class TwoInputTransformation<TIn1, TIn2, TOut> : Transformation<TOut>
{
    private readonly Func<string, TwoInputOperator<TIn1, TIn2, TOut>> _factory;

    internal TwoInputTransformation(int id, string name, Transformation<TIn1> input1, Transformation<TIn2> input2, Func<string, TwoInputOperator<TIn1, TIn2, TOut>> factory)
        : base(id, name, new Transformation[] { input1, input2 })
    {
        _factory = factory;
    }

    private protected override IStreamOperator CreateOperator(IOutput<TOut> output, SideOutputs sideOutputs)
        => Bound(_factory(Name), output, sideOutputs);

    internal override IPayloadDecoder CreateInputDecoder(IStreamOperator headOperator, JobEdge edge)
    {
        var op = (TwoInputOperator<TIn1, TIn2, TOut>)headOperator;
        return edge.LogicalInput == 0 ? DecoderOf(edge, op.Input1) : DecoderOf(edge, op.Input2);
    }
}

/// <summary>A two-input operator that keeps state per key; the inputs it names keyed must be partitioned by that key.</summary>
public sealed class KeyedTwoInputTransformation<TIn1, TIn2, TOut> : TwoInputTransformation<TIn1, TIn2, TOut>, IKeyedTransformation
{
    private readonly bool _secondInputKeyed;

    internal KeyedTwoInputTransformation(
        int id, string name, Transformation<TIn1> input1, Transformation<TIn2> input2, Func<string, TwoInputOperator<TIn1, TIn2, TOut>> factory, bool secondInputKeyed = true)
        : base(id, name, input1, input2, factory)
    {
        _secondInputKeyed = secondInputKeyed;
    }

    bool IKeyedTransformation.IsKeyedInput(int input) => input == 0 || _secondInputKeyed;
}

/// <summary>The records of several streams of one type as one stream (Flink's union); no operator.</summary>
public sealed class UnionTransformation<T> : Transformation<T>
{
    internal UnionTransformation(int id, IReadOnlyList<Transformation<T>> inputs) : base(id, "Union", inputs)
    {
    }

    public override bool IsVirtual => true;

    private protected override IStreamOperator CreateOperator(IOutput<T> output, SideOutputs sideOutputs)
        => throw new InvalidOperationException($"{this} merges streams and has no operator.");
}

/// <summary>An operator that keeps state per key; its input must be partitioned by that key.</summary>
public sealed class KeyedOneInputTransformation<TIn, TOut> : OneInputTransformation<TIn, TOut>, IKeyedTransformation
{
    internal KeyedOneInputTransformation(int id, string name, Transformation<TIn> input, Func<string, OneInputOperator<TIn, TOut>> factory)
        : base(id, name, input, factory)
    {
    }
}

/// <summary>A sink step without its record type: what the job needs to know of its connector.</summary>
public interface ISinkTransformation
{
    /// <summary>The sink connector (an <see cref="ISink{T}"/>).</summary>
    object Connector { get; }
}

/// <summary>Writes to a sink.</summary>
public sealed class SinkTransformation<T> : Transformation<T>, ISinkTransformation
{
    private readonly TimeSpan _flushInterval;

    internal SinkTransformation(int id, string name, Transformation<T> input, ISink<T> sink, TimeSpan flushInterval)
        : base(id, name, new[] { input })
    {
        Sink = sink;
        _flushInterval = flushInterval;
    }

    public ISink<T> Sink { get; }

    object ISinkTransformation.Connector => Sink;

    public override bool IsSink => true;

    public override int? RequiredParallelism => Sink.RequiredParallelism;

    private protected override IStreamOperator CreateOperator(IOutput<T> output, SideOutputs sideOutputs) => new SinkOperator<T>(Name, Sink, _flushInterval);

    internal override IPayloadDecoder CreateInputDecoder(IStreamOperator headOperator, JobEdge edge)
        => DecoderOf(edge, (IOutput<T>)headOperator);
}

/// <summary>Changes how records reach the next step (keyBy, rebalance, broadcast, forward); no operator.</summary>
public sealed class PartitionTransformation<T> : Transformation<T>, IPartitioning
{
    internal PartitionTransformation(int id, string name, Transformation<T> input, PartitionerKind partitioner, Func<T, int>? keyHash)
        : base(id, name, new[] { input })
    {
        Partitioner = partitioner;
        KeyHash = keyHash;
        Codec = input.Codec;
    }

    public PartitionerKind Partitioner { get; }

    /// <summary>For hash partitioning: the stable hash of a record's key.</summary>
    public Func<T, int>? KeyHash { get; }

    public override bool IsVirtual => true;

    Delegate? IPartitioning.KeyHashDelegate => KeyHash;

    private protected override IStreamOperator CreateOperator(IOutput<T> output, SideOutputs sideOutputs)
        => throw new InvalidOperationException($"{this} is a partitioning step and has no operator.");
}
