namespace OrleansStream.Runtime.Rescaling;

/// <summary>Source splits <see cref="SplitIds"/> move from source subtask <see cref="From"/> to subtask <see cref="To"/>.</summary>
internal sealed record SplitMove(int From, int To, IReadOnlyList<string> SplitIds)
{
    /// <summary>
    /// The moves that spread the splits the source subtasks read (<paramref name="owned"/>: running subtasks only) evenly
    /// over the running subtasks below <paramref name="parallelism"/>, moving as few as it can: the subtasks at or above it
    /// give all of theirs, the others keep up to their share, and the spare shares go to those that hold the most already.
    /// </summary>
    public static IReadOnlyList<SplitMove> Rebalance(IReadOnlyDictionary<int, IReadOnlyList<string>> owned, int parallelism)
    {
        var readers = owned.Keys.Where(subtask => subtask < parallelism).Order().ToList();
        var leaving = owned.Where(o => o.Key >= parallelism && o.Value.Count > 0).ToList();
        if (readers.Count == 0)
        {
            return leaving.Count == 0 ? Array.Empty<SplitMove>() : throw new InvalidOperationException(
                $"No source subtask below {parallelism} still runs to take over the splits of subtasks {string.Join(", ", leaving.Select(o => o.Key))}.");
        }

        int total = owned.Values.Sum(splits => splits.Count);
        var shares = readers.ToDictionary(subtask => subtask, _ => total / readers.Count);
        foreach (int subtask in readers.OrderByDescending(subtask => owned[subtask].Count).ThenBy(subtask => subtask).Take(total % readers.Count))
        {
            shares[subtask]++;
        }

        // What leaves, in subtask order: everything of the subtasks that go, and what the others hold beyond their share.
        var spare = new Queue<(int From, string Split)>(owned.OrderBy(o => o.Key)
            .SelectMany(o => o.Value.Skip(o.Key < parallelism ? shares[o.Key] : 0).Select(split => (o.Key, split))));
        var moves = new List<SplitMove>();
        foreach (int subtask in readers)
        {
            int missing = shares[subtask] - owned[subtask].Count;
            var taken = new List<(int From, string Split)>();
            for (int i = 0; i < missing; i++)
            {
                taken.Add(spare.Dequeue());
            }

            moves.AddRange(taken.GroupBy(t => t.From).Select(g => new SplitMove(g.Key, subtask, g.Select(t => t.Split).ToList())));
        }

        return moves;
    }
}
