namespace OrleansStream.Runtime.Hosting;

/// <summary>How a silo runs OrleansStream tasks.</summary>
public sealed class OrleansStreamOptions
{
    /// <summary>The name of the push channel transport that <c>AddOrleansStream</c> registers.</summary>
    public const string DefaultChannelTransport = Channels.Push.PushChannelTransport.Name;

    /// <summary>
    /// What carries records between tasks, chosen by name: the push channel transport (the default), or an
    /// Orleans stream provider registered on the silo, such as memory streams (<c>AddMemoryChannelStreams</c>).
    /// </summary>
    public string ChannelTransport { get; set; } = DefaultChannelTransport;

    /// <summary>The name of the grain storage provider that holds checkpoints, savepoints and job state.</summary>
    public string StorageProvider { get; set; } = DefaultStorageProvider;

    public const string DefaultStorageProvider = Storage.OrleansStreamStorage.ProviderName;

    /// <summary>Keyed state is stored in chunks of whole key groups of about this size.</summary>
    public int CheckpointChunkBytes { get; set; } = 4 << 20;

    /// <summary>How often a task asks its job grain whether its attempt is still the current one (and stops if not).</summary>
    public TimeSpan TaskLeaseInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a running task reports its record counts, rates and watermark to its job grain (what status shows).</summary>
    public TimeSpan TaskMetricsInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a job grain checks its tasks' silos, and its checkpoint coordinator due checkpoints and timeouts.</summary>
    public TimeSpan JobSupervisionInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The period of the reminder that reactivates a running job's grain after its silo is lost. Orleans
    /// allows no less than its ReminderOptions.MinimumReminderPeriod (1 minute unless configured).
    /// </summary>
    public TimeSpan JobReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the job grain of an idle job asks its sources' watchers whether input arrived: at most this adds to a wake-up.</summary>
    public TimeSpan IdleWatchInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Records per batch before a channel sends it.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <summary>
    /// Key groups that change owner together in one step of a live rescale (Megaphone's bins): fewer make each
    /// moved key group's pause shorter, more make the rescale as a whole quicker.
    /// </summary>
    public int RescaleKeyGroupsPerStep { get; set; } = 8;

    /// <summary>
    /// A pause between the steps of a live rescale (zero: none). Spreads a large migration out, so that hand-offs of
    /// big key groups share the time with the job's own records instead of running back to back.
    /// </summary>
    public TimeSpan RescaleStepInterval { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long the free slots must stay as they are before an adaptive job rescales to them (Flink's
    /// <c>resource-stabilization-timeout</c>): silos that start one after another cause one rescale.
    /// </summary>
    public TimeSpan ReactiveStabilization { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a silo that stops gracefully waits for the jobs with subtasks on it to move them to the other silos
    /// before it stops anyway (they then recover from their last checkpoint). Keep it below the pod's grace period.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one step of a live rescale may take before the rescale fails and the job recovers from its last checkpoint.</summary>
    public TimeSpan RescaleStepTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest a record waits in a partly filled batch (Flink's buffer timeout).</summary>
    public TimeSpan BufferTimeout { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Period of the processing-time tick: flushes old batches, fires timers and watermarks.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest a source reads in one grain turn, so control messages get through.</summary>
    public TimeSpan SourceSliceBudget { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Pause before polling a source again when it had nothing to read.</summary>
    public TimeSpan SourceIdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Paths of job assemblies deployed with the silos (built against the silo's OrleansStream): jobs name
    /// their classes by assembly-qualified name, as classes the silo host references. Uploaded jobs need none.
    /// </summary>
    public List<string> JobAssemblies { get; set; } = new();

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ChannelTransport))
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(ChannelTransport)} must name a channel transport or a stream provider.");
        }

        if (string.IsNullOrWhiteSpace(StorageProvider))
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(StorageProvider)} must name a grain storage provider.");
        }

        if (RescaleKeyGroupsPerStep < 1)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(RescaleKeyGroupsPerStep)} must be at least 1, was {RescaleKeyGroupsPerStep}.");
        }

        if (RescaleStepInterval < TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(RescaleStepInterval)} must not be negative, was {RescaleStepInterval}.");
        }

        if (ReactiveStabilization < TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(ReactiveStabilization)} must not be negative, was {ReactiveStabilization}.");
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(DrainTimeout)} must not be negative, was {DrainTimeout}.");
        }

        if (RescaleStepTimeout <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(RescaleStepTimeout)} must be positive, was {RescaleStepTimeout}.");
        }

        if (CheckpointChunkBytes < 1024)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(CheckpointChunkBytes)} must be at least 1024, was {CheckpointChunkBytes}.");
        }

        if (BatchSize < 1)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(BatchSize)} must be at least 1, was {BatchSize}.");
        }

        if (BufferTimeout <= TimeSpan.Zero || TickInterval <= TimeSpan.Zero || SourceSliceBudget <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(BufferTimeout)}, {nameof(TickInterval)} and {nameof(SourceSliceBudget)} must be positive.");
        }

        foreach (var path in JobAssemblies)
        {
            try
            {
                System.Reflection.AssemblyName.GetAssemblyName(Path.GetFullPath(path));
            }
            catch (Exception ex) when (ex is IOException or BadImageFormatException or ArgumentException or UnauthorizedAccessException)
            {
                throw new OrleansConfigurationException($"OrleansStream: {nameof(JobAssemblies)} names '{path}', which is no .NET assembly this silo can read: {ex.Message}");
            }
        }

        if (TaskMetricsInterval <= TimeSpan.Zero || TaskLeaseInterval <= TimeSpan.Zero || JobSupervisionInterval <= TimeSpan.Zero || IdleWatchInterval <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException(
                $"OrleansStream: {nameof(TaskMetricsInterval)}, {nameof(TaskLeaseInterval)}, {nameof(JobSupervisionInterval)} and {nameof(IdleWatchInterval)} must be positive.");
        }
    }
}
