namespace OrleansStream.Runtime.Rescaling;

/// <summary>
/// The state of key groups that move from subtask <see cref="From"/> to another in rescale step <see cref="Step"/>:
/// keyed state, timers, window contents and time-to-live stamps of every operator of the vertex, in snapshot chunks,
/// and the old owner's watermark, from which the key groups' event time goes on.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.key-group-handoff")]
public sealed record KeyGroupHandoff(
    [property: Id(0)] long Step,
    [property: Id(1)] int From,
    [property: Id(2)] IReadOnlyList<int> KeyGroups,
    [property: Id(3)] IReadOnlyList<byte[]> Chunks,
    [property: Id(4)] long Watermark)
{
    public long Bytes => Chunks.Sum(c => (long)c.Length);
}

/// <summary>What a subtask that took over key groups reports: how many, how much state, and how long their records waited.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.key-groups-installed")]
public sealed record KeyGroupsInstalled(
    [property: Id(0)] long Step,
    [property: Id(1)] int KeyGroups,
    [property: Id(2)] long Bytes,
    [property: Id(3)] long HeldRecords,
    [property: Id(4)] TimeSpan LongestPause);
