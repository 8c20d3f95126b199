using OrleansStream.Codecs;

namespace OrleansStream.State;

/// <summary>
/// What one key has received in one window of a window join or co-group: the elements of each side, in
/// arrival order. A side's list is made on its first element: most keys of a window see only one side.
/// </summary>
public sealed class CoGroupBuffers<TLeft, TRight>
{
    private List<TLeft>? _left;
    private List<TRight>? _right;

    public IReadOnlyList<TLeft> Left => (IReadOnlyList<TLeft>?)_left ?? Array.Empty<TLeft>();

    public IReadOnlyList<TRight> Right => (IReadOnlyList<TRight>?)_right ?? Array.Empty<TRight>();

    public void AddLeft(TLeft value) => (_left ??= new List<TLeft>(1)).Add(value);

    public void AddRight(TRight value) => (_right ??= new List<TRight>(1)).Add(value);
}

/// <summary>Writes both sides of a <see cref="CoGroupBuffers{TLeft, TRight}"/> with their element types' codecs.</summary>
internal sealed class CoGroupBuffersCodec<TLeft, TRight> : IRecordCodec<CoGroupBuffers<TLeft, TRight>>
{
    private readonly IRecordCodec<TLeft> _left = RecordCodec.For<TLeft>();
    private readonly IRecordCodec<TRight> _right = RecordCodec.For<TRight>();

    public void Write(PayloadWriter writer, CoGroupBuffers<TLeft, TRight> value)
    {
        writer.WriteVarInt32(value.Left.Count);
        foreach (var left in value.Left)
        {
            _left.Write(writer, left);
        }

        writer.WriteVarInt32(value.Right.Count);
        foreach (var right in value.Right)
        {
            _right.Write(writer, right);
        }
    }

    public CoGroupBuffers<TLeft, TRight> Read(ref PayloadReader reader)
    {
        var buffers = new CoGroupBuffers<TLeft, TRight>();
        for (int i = reader.ReadVarInt32(); i > 0; i--)
        {
            buffers.AddLeft(_left.Read(ref reader));
        }

        for (int i = reader.ReadVarInt32(); i > 0; i--)
        {
            buffers.AddRight(_right.Read(ref reader));
        }

        return buffers;
    }
}
