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

        var free = silos.ToDictionary(s => s.Silo, s => s.Slots - current.Count(used => used == s.Silo));
        var slots = current.ToList();
        while (slots.Count < requiredSlots)
        {
            var (silo, left) = free.OrderByDescending(f => f.Value).ThenBy(f => f.Key.ToParsableString(), StringComparer.Ordinal).First();
            if (left <= 0)
            {
                // The job's slots sit on silos that left: the slot count covers it, but not where the job runs now.
                throw new InsufficientSlotsException(jobId, requiredSlots, available, silos.Count);
            }

            free[silo] = left - 1;
            slots.Add(silo);
        }

        return slots;
    }
}
