using OrleansStream.Functions;
using OrleansStream.Operators;

namespace OrleansStream.Graph;

/// <summary>
/// Reads the records an operator emits to an <see cref="OutputTag{T}"/> (Flink's SideOutputTransformation).
/// No operator of its own: like a repartitioning step it only shapes the edge that follows, which
/// carries the tagged output of its input instead of the main one.
/// </summary>
public sealed class SideOutputTransformation<T> : Transformation<T>, ISideOutputTransformation
{
    internal SideOutputTransformation(int id, Transformation input, OutputTag<T> tag)
        : base(id, $"SideOutput({tag.Id})", new[] { input })
    {
        Tag = tag;
    }

    public OutputTag<T> Tag { get; }

    public override bool IsVirtual => true;

    string ISideOutputTransformation.TagId => Tag.Id;

    Type ISideOutputTransformation.RecordType => typeof(T);

    ISideOutput ISideOutputTransformation.CreateOutput(IReadOnlyList<IStreamOperator> chained, IReadOnlyList<JobEdge> edges, INetworkOutputFactory network)
        => new SideOutput<T>(Tag.Id, Connect(chained, edges, Codec, network));

    private protected override IStreamOperator CreateOperator(IOutput<T> output, SideOutputs sideOutputs)
        => throw new InvalidOperationException($"{this} reads a side output and has no operator.");
}

/// <summary>The record-type-free face of a side output step, for the translator and the chain builder.</summary>
internal interface ISideOutputTransformation
{
    string TagId { get; }

    Type RecordType { get; }

    /// <summary>The side output of one operator instance into its readers: chained operators and network edges.</summary>
    ISideOutput CreateOutput(IReadOnlyList<IStreamOperator> chained, IReadOnlyList<JobEdge> edges, INetworkOutputFactory network);
}
