using OrleansStream.Graph;
using OrleansStream.KeyGroups;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// Decides what each subtask of a (possibly rescaled) job restores from a completed snapshot, as
/// Flink does: keyed state by key group — a subtask gets every chunk overlapping the key groups it
/// now owns and keeps only those key groups — and operator state items of all old subtasks spread
/// round-robin over the new ones, or all of them to every new subtask for operators whose items are
/// whole copies (broadcast state). Operators are matched by uid.
/// </summary>
public static class StateAssignment
{
    public static TaskRestore For(CheckpointMetadata snapshot, JobGraph graph, JobVertex vertex, int subtask)
    {
        if (snapshot.MaxParallelism != graph.MaxParallelism)
        {
            throw new InvalidOperationException(
                $"The snapshot {snapshot.Pointer} was taken with max parallelism {snapshot.MaxParallelism} but the job has {graph.MaxParallelism}; key groups cannot be re-split across a different max parallelism.");
        }

        var range = KeyGroupRangeAssignment.RangeForOperator(graph.MaxParallelism, vertex.Parallelism, subtask);
        var uids = vertex.Operators.Select(o => o.Uid).ToHashSet(StringComparer.Ordinal);
        var keyed = new List<KeyedStateHandle>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var operatorState = new Dictionary<string, IReadOnlyList<byte[]>>(StringComparer.Ordinal);

        // Operators the snapshot knows nothing of (added since) start fresh, as in Flink.
        foreach (var uid in uids.Where(uid => snapshot.Tasks.Any(t => t.OperatorState.ContainsKey(uid))))
        {
            // Old subtasks in index order, so that the round-robin split is deterministic.
            var items = snapshot.Tasks
                .Where(t => t.OperatorState.ContainsKey(uid))
                .OrderBy(t => t.VertexId).ThenBy(t => t.Subtask)
                .SelectMany(t => t.OperatorState[uid])
                .ToList();
            operatorState[uid] = vertex.Operators.First(o => o.Uid == uid).OperatorStateDistribution == OperatorStateDistribution.Union
                ? items
                : items.Where((_, i) => i % vertex.Parallelism == subtask).ToList();
        }

        foreach (var task in snapshot.Tasks.Where(t => t.KeyedOperators.Any(uids.Contains)))
        {
            foreach (var chunk in task.KeyedState)
            {
                if (chunk.Overlaps(range.StartKeyGroup, range.EndKeyGroup) && seen.Add(chunk.StorageKey))
                {
                    keyed.Add(chunk);
                }
            }
        }

        return new TaskRestore(snapshot.CheckpointId, operatorState, keyed);
    }

    /// <summary>Operator ids that hold state in the snapshot but match no operator of the job: restoring would lose their state.</summary>
    public static IReadOnlyList<string> UnmatchedOperators(CheckpointMetadata snapshot, JobGraph graph)
    {
        var uids = graph.Vertices.SelectMany(v => v.Operators).Select(o => o.Uid).ToHashSet(StringComparer.Ordinal);
        return snapshot.Tasks
            .SelectMany(t => t.OperatorState.Where(kv => kv.Value.Count > 0).Select(kv => kv.Key).Concat(t.KeyedOperators))
            .Distinct()
            .Where(uid => !uids.Contains(uid))
            .OrderBy(uid => uid, StringComparer.Ordinal)
            .ToList();
    }
}
