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

    [Id(0)] public int Required { get; private set; }

    [Id(1)] public int Available { get; private set; }
}
