namespace OrleansStream.Runtime.Rescaling;

/// <summary>Key group <see cref="KeyGroup"/> of a vertex moves from subtask <see cref="From"/> to subtask <see cref="To"/>.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.key-group-move")]
public readonly record struct KeyGroupMove(
    [property: Id(0)] int KeyGroup,
    [property: Id(1)] int From,
    [property: Id(2)] int To);

/// <summary>
/// One bounded step of a live rescale (a bin, as Megaphone calls it): the key groups of vertex
/// <see cref="VertexId"/> that change owner together. Step ids grow over the life of a job.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.rescale-step")]
public sealed record RescaleStep(
    [property: Id(0)] long Id,
    [property: Id(1)] int VertexId,
    [property: Id(2)] IReadOnlyList<KeyGroupMove> Moves);
