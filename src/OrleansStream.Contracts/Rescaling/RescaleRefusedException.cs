namespace OrleansStream.Contracts.Rescaling;

/// <summary>
/// A rescale that cannot be made: a vertex that does not exist, a parallelism beyond a vertex's max, a vertex
/// that runs at one parallelism only. Slots the cluster lacks are an <see cref="Cluster.InsufficientSlotsException"/>;
/// a job that does not run, a <see cref="Jobs.JobStateException"/>.
/// </summary>
[GenerateSerializer, Alias("orleansstream.rescale-refused")]
public sealed class RescaleRefusedException : OrleansException
{
    public RescaleRefusedException(string message, string? vertex = null) : base(message)
    {
        Vertex = vertex;
    }

    /// <summary>The vertex (or operator) the refusal is about, if one.</summary>
    [Id(0)] public string? Vertex { get; private set; }
}
