namespace OrleansStream.Runtime.Hosting;

/// <summary>How a silo runs OrleansStream tasks.</summary>
public sealed class OrleansStreamOptions
{
    /// <summary>The name of the push stream provider that <c>AddOrleansStream</c> registers.</summary>
    public const string DefaultStreamProvider = "orleansstream";

    /// <summary>The Orleans stream provider that carries records between tasks, chosen by name.</summary>
    public string StreamProvider { get; set; } = DefaultStreamProvider;

    /// <summary>Records per batch before a channel sends it.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <summary>The longest a record waits in a partly filled batch (Flink's buffer timeout).</summary>
    public TimeSpan BufferTimeout { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Period of the processing-time tick: flushes old batches, fires timers and watermarks.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest a source reads in one grain turn, so control messages get through.</summary>
    public TimeSpan SourceSliceBudget { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Pause before polling a source again when it had nothing to read.</summary>
    public TimeSpan SourceIdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(1);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(StreamProvider))
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(StreamProvider)} must name a stream provider.");
        }

        if (BatchSize < 1)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(BatchSize)} must be at least 1, was {BatchSize}.");
        }

        if (BufferTimeout <= TimeSpan.Zero || TickInterval <= TimeSpan.Zero || SourceSliceBudget <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansStream: {nameof(BufferTimeout)}, {nameof(TickInterval)} and {nameof(SourceSliceBudget)} must be positive.");
        }
    }
}
