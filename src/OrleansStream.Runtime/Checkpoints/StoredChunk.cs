namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// How a keyed state chunk is stored. The bytes are wrapped rather than stored as a bare byte[]
/// because grain storage providers create a fresh state object after a clear, or when a read finds
/// no record, and Orleans' activator cannot create an array: the ADO.NET provider deleted the row
/// and then threw, so deleting a checkpoint stopped after its first chunk.
/// </summary>
[GenerateSerializer, Alias("orleansstream.stored-chunk")]
internal sealed class StoredChunk
{
    [Id(0)] public byte[] Data { get; set; } = [];
}
