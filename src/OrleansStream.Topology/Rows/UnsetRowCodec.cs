using OrleansStream.Codecs;

namespace OrleansStream.Topology.Rows;

/// <summary>
/// The codec of <see cref="Row"/> by type. Rows carry no schema, so they can only be written by the
/// <see cref="RowCodec"/> of their stream; reaching this one means a step did not set it.
/// </summary>
internal sealed class UnsetRowCodec : IRecordCodec<Row>
{
    public void Write(PayloadWriter writer, Row value) => throw Missing();

    public Row Read(ref PayloadReader reader) => throw Missing();

    private static InvalidOperationException Missing()
        => new("Rows crossed subtasks without their stream's RowCodec: a step of OrleansStream.Topology did not set it.");
}
