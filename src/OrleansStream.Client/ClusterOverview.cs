namespace OrleansStream.Client;

/// <summary>The silos of a cluster and the task slots that running jobs use on them.</summary>
public sealed record ClusterOverview(IReadOnlyList<SiloOverview> Silos, int RunningJobs)
{
    public int Slots => Silos.Where(s => s.Slots is not null).Sum(s => s.Slots!.Value);

    public int SlotsInUse => Silos.Sum(s => s.SlotsInUse);
}

/// <summary>
/// One silo (a task manager). <see cref="Slots"/> is null when the silo did not answer.
/// Slots are not reserved exclusively: every job may use every slot, so a silo can show more slots
/// in use than it offers when several jobs run.
/// </summary>
public sealed record SiloOverview(string Address, string Name, string Status, DateTimeOffset StartedAt, int? Slots, int SlotsInUse)
{
    public int? FreeSlots => Slots is { } slots ? Math.Max(0, slots - SlotsInUse) : null;
}
