using OrleansStream.Contracts.Cluster;

namespace OrleansStream.Runtime.Placement;

/// <summary>A silo and the number of task slots it offers.</summary>
public sealed record SiloSlots(SiloAddress Silo, int Slots);

/// <summary>
/// Chooses a slot for every subtask. Subtask i of every vertex shares slot i (Flink's default slot
/// sharing group); slots are taken round-robin over the silos so that load spreads evenly.
/// </summary>
public static class SlotAssignment
{
    /// <summary>Returns the silo of each of <paramref name="requiredSlots"/> slots.</summary>
    public static IReadOnlyList<SiloAddress> Assign(string jobId, int requiredSlots, IReadOnlyList<SiloSlots> silos)
    {
        int available = silos.Sum(s => s.Slots);
        if (requiredSlots > available)
        {
            throw new InsufficientSlotsException(jobId, requiredSlots, available, silos.Count);
        }

        var ordered = silos.OrderBy(s => s.Silo.ToParsableString(), StringComparer.Ordinal).ToList();
        var used = new int[ordered.Count];
        var slots = new List<SiloAddress>(requiredSlots);
        for (int round = 0; slots.Count < requiredSlots; round++)
        {
            for (int i = 0; i < ordered.Count && slots.Count < requiredSlots; i++)
            {
                if (used[i] < ordered[i].Slots)
                {
                    used[i]++;
                    slots.Add(ordered[i].Silo);
                }
            }
        }

        return slots;
    }

    /// <summary>
    /// The slots of a running job rescaled to <paramref name="requiredSlots"/>: the slots it has keep their silos (their
    /// subtasks do not move); added slots go where the most are free, counting what the job already uses.
    /// </summary>
    public static IReadOnlyList<SiloAddress> Extend(string jobId, IReadOnlyList<SiloAddress> current, int requiredSlots, IReadOnlyList<SiloSlots> silos)
    {
        if (requiredSlots <= current.Count)
        {
            return current.Take(requiredSlots).ToList();
        }

        int available = silos.Sum(s => s.Slots);
        if (requiredSlots > available)
        {
            throw new InsufficientSlotsException(jobId, requiredSlots, available, silos.Count);
        }

        var free = FreeOf(current, silos);
        var slots = current.ToList();
        while (slots.Count < requiredSlots)
        {
            // Null: the job's slots sit on silos that left; the slot count covers it, but not where the job runs now.
            slots.Add(TakeMostFree(free) ?? throw new InsufficientSlotsException(jobId, requiredSlots, available, silos.Count));
        }

        return slots;
    }

    /// <summary>
    /// New silos for the slots of a running job that sit on <paramref name="leaving"/> (a drain), by slot index: each goes
    /// where the most are free among the others, counting what the job uses there. Null when the others lack room.
    /// </summary>
    public static IReadOnlyDictionary<int, SiloAddress>? Relocate(IReadOnlyList<SiloAddress> current, SiloAddress leaving, IReadOnlyList<SiloSlots> silos)
    {
        var free = FreeOf(current, silos.Where(s => !s.Silo.Equals(leaving)));
        var moves = new Dictionary<int, SiloAddress>();
        for (int slot = 0; slot < current.Count; slot++)
        {
            if (current[slot].Equals(leaving))
            {
                if (TakeMostFree(free) is not { } target)
                {
                    return null;
                }

                moves[slot] = target;
            }
        }

        return moves;
    }

    /// <summary>The slots each of <paramref name="silos"/> has that the job's <paramref name="current"/> slots do not use.</summary>
    private static Dictionary<SiloAddress, int> FreeOf(IReadOnlyList<SiloAddress> current, IEnumerable<SiloSlots> silos)
        => silos.ToDictionary(s => s.Silo, s => s.Slots - current.Count(used => used.Equals(s.Silo)));

    /// <summary>Takes a slot on the silo with the most free (ties by address, so that the choice is stable); null when none is.</summary>
    private static SiloAddress? TakeMostFree(Dictionary<SiloAddress, int> free)
    {
        var (silo, left) = free.OrderByDescending(f => f.Value).ThenBy(f => f.Key.ToParsableString(), StringComparer.Ordinal).FirstOrDefault();
        if (silo is null || left <= 0)
        {
            return null;
        }

        free[silo] = left - 1;
        return silo;
    }
}
