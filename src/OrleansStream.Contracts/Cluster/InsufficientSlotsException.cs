namespace OrleansStream.Contracts.Cluster;

/// <summary>The cluster has fewer free task slots than a job needs.</summary>
[GenerateSerializer, Alias("orleansstream.insufficient-slots")]
public sealed class InsufficientSlotsException : OrleansException
{
    public InsufficientSlotsException(string jobId, int required, int available, int silos)
        : base($"Job '{jobId}' needs {required} task slots (its largest parallelism) but the cluster has {available} ({silos} silo{(silos == 1 ? "" : "s")}). Lower the parallelism or add silos or slots.")
    {
        Required = required;
        Available = available;
    }

    /// <summary>The cluster has the slots, but other running jobs hold so many that fewer than the job needs are free.</summary>
    public InsufficientSlotsException(string jobId, int required, int total, int silos, int usedByOthers)
        : base($"Job '{jobId}' needs {required} task slots (its largest parallelism) but {Math.Max(0, total - usedByOthers)} of the cluster's {total} are free ({silos} silo{(silos == 1 ? "" : "s")}; the other running jobs hold {usedByOthers}). Lower the parallelism, wait for a job to end, or add silos or slots.")
    {
        Required = required;
        Available = Math.Max(0, total - usedByOthers);
    }

    [Id(0)] public int Required { get; private set; }

    [Id(1)] public int Available { get; private set; }
}
