using OrleansStream.Graph;
using OrleansStream.KeyGroups;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>Key group <see cref="KeyGroup"/> of a vertex moves from subtask <see cref="From"/> to subtask <see cref="To"/>.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.key-group-move")]
public readonly record struct KeyGroupMove(
    [property: Id(0)] int KeyGroup,
    [property: Id(1)] int From,
    [property: Id(2)] int To)
{
    /// <summary>The key groups whose owner differs between <paramref name="from"/> and <paramref name="to"/> subtasks, in key group order.</summary>
    public static IReadOnlyList<KeyGroupMove> Between(int maxParallelism, int from, int to)
    {
        var moves = new List<KeyGroupMove>();
        for (int keyGroup = 0; keyGroup < maxParallelism; keyGroup++)
        {
            int oldOwner = KeyGroupRangeAssignment.OperatorIndexForKeyGroup(keyGroup, maxParallelism, from);
            int newOwner = KeyGroupRangeAssignment.OperatorIndexForKeyGroup(keyGroup, maxParallelism, to);
            if (oldOwner != newOwner)
            {
                moves.Add(new KeyGroupMove(keyGroup, oldOwner, newOwner));
            }
        }

        return moves;
    }

    /// <summary>
    /// How many key groups change owner when the vertices of <paramref name="from"/> take the parallelism they have in
    /// <paramref name="to"/>; only keyed vertices have key groups (sources have splits).
    /// </summary>
    public static int Count(JobGraph from, JobGraph to)
        => from.Vertices.Zip(to.Vertices).Where(pair => IsKeyed(pair.First)).Sum(pair => Between(to.MaxParallelism, pair.First.Parallelism, pair.Second.Parallelism).Count);

    /// <summary>
    /// Whether <paramref name="vertex"/> reads by key, so that its state is in key groups its subtasks own: every input is
    /// by key, but for broadcast ones (whose state every subtask holds whole).
    /// </summary>
    public static bool IsKeyed(JobVertex vertex)
        => vertex.Inputs.Any(e => e.Partitioner == PartitionerKind.Hash) && vertex.Inputs.All(e => e.Partitioner is PartitionerKind.Hash or PartitionerKind.Broadcast);
}

/// <summary>
/// One bounded step of a live rescale (a bin, as Megaphone calls it): the key groups of vertex
/// <see cref="VertexId"/> that change owner together. Step ids grow over the life of a job.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.rescale-step")]
public sealed record RescaleStep(
    [property: Id(0)] long Id,
    [property: Id(1)] int VertexId,
    [property: Id(2)] IReadOnlyList<KeyGroupMove> Moves);
