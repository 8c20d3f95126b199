namespace OrleansStream.Api;

/// <summary>
/// The job's autoscaler (after the Flink Kubernetes operator's): it watches how busy each vertex's subtasks
/// are over a metric window and rescales the vertex so that they are busy about <see cref="TargetUtilization"/> of the
/// time, once utilization leaves the band of <see cref="UtilizationBoundary"/> around it; and it sizes each source by
/// its backlog, so that the readers keep up with what arrives and work off what is pending within
/// <see cref="CatchUpDuration"/>. Off until <see cref="Enabled"/>.
/// </summary>
public sealed class AutoscalerConfig
{
    public bool Enabled { get; set; }

    /// <summary>The share of time a subtask should be busy (Flink's target.utilization): 0.7 leaves room for bursts.</summary>
    public double TargetUtilization { get; set; } = 0.7;

    /// <summary>How far utilization may stray from the target before the vertex is rescaled (Flink's target.utilization.boundary).</summary>
    public double UtilizationBoundary { get; set; } = 0.2;

    /// <summary>How long the vertex's busy time is averaged over before a decision (Flink's metrics.window).</summary>
    public TimeSpan MetricWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after a rescale nothing is decided, while the job settles (Flink's stabilization.interval).</summary>
    public TimeSpan Stabilization { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a source may take to work off its backlog (Flink's catch-up.duration): a source needs the readers that
    /// keep up with the rate its input arrives at plus the pending records over this time.
    /// </summary>
    public TimeSpan CatchUpDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether sources are sized by their backlog too (their readers hand splits over live).</summary>
    public bool ScaleSources { get; set; } = true;

    /// <summary>At most this many autoscaler rescales in any hour, so that a job cannot rescale in a loop.</summary>
    public int MaxRescalesPerHour { get; set; } = 10;

    internal void Validate()
    {
        if (!Enabled)
        {
            return;
        }

        if (TargetUtilization is <= 0 or > 1 || UtilizationBoundary < 0 || UtilizationBoundary >= TargetUtilization)
        {
            throw new Graph.JobGraphException(
                $"The autoscaler's target utilization must be in (0, 1] and its boundary in [0, target); were {TargetUtilization} and {UtilizationBoundary}.");
        }

        if (MetricWindow <= TimeSpan.Zero || Stabilization < TimeSpan.Zero || MaxRescalesPerHour < 1 || CatchUpDuration <= TimeSpan.Zero)
        {
            throw new Graph.JobGraphException(
                $"The autoscaler needs a positive metric window and catch-up duration, a stabilization of zero or more, and at least one rescale per hour; were {MetricWindow}, {CatchUpDuration}, {Stabilization}, {MaxRescalesPerHour}.");
        }
    }
}
