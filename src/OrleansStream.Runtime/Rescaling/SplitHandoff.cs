namespace OrleansStream.Runtime.Rescaling;

/// <summary>Source splits that move from one source subtask to another in a live rescale, serialized with their progress.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.split-handoff")]
internal sealed record SplitHandoff(
    [property: Id(0)] IReadOnlyList<byte[]> Splits)
{
    public long Bytes => Splits.Sum(split => (long)split.Length);
}
