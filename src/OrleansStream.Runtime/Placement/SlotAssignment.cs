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
}
