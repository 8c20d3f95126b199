namespace OrleansStream.Api.Connectors;

/// <summary>A split serializer for split records made of plain data, as JSON.</summary>
public sealed class JsonSplitSerializer<TSplit> : ISplitSerializer
    where TSplit : SourceSplit
{
    public static readonly JsonSplitSerializer<TSplit> Instance = new();

    // Not the shared default options: a split type of an uploaded job must not stay in a silo-wide cache.
    private static readonly System.Text.Json.JsonSerializerOptions Options = Codecs.PrivateJsonOptions.Create();

    public byte[] Serialize(SourceSplit split)
        => split is TSplit typed
            ? System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(typed, Options)
            : throw new ArgumentException($"Expected a {typeof(TSplit).Name} but got a {split.GetType().Name}.", nameof(split));

    public SourceSplit Deserialize(ReadOnlySpan<byte> data)
        => System.Text.Json.JsonSerializer.Deserialize<TSplit>(data, Options)
            ?? throw new InvalidDataException($"A stored {typeof(TSplit).Name} was empty.");
}
