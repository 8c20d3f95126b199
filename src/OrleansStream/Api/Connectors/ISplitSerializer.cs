namespace OrleansStream.Api.Connectors;

/// <summary>Encodes a source's splits, progress included, for checkpoint storage.</summary>
public interface ISplitSerializer
{
    byte[] Serialize(SourceSplit split);

    SourceSplit Deserialize(ReadOnlySpan<byte> data);
}
