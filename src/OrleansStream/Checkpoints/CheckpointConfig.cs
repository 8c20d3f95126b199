namespace OrleansStream.Checkpoints;

/// <summary>What a checkpoint guarantees about records that arrive on several channels.</summary>
public enum CheckpointingMode
{
    /// <summary>Tasks align barriers: input after a barrier waits until the barrier arrived on every channel. No record counts twice.</summary>
    ExactlyOnce,

    /// <summary>No alignment: faster under skew, but after a recovery some records may be counted twice.</summary>
    AtLeastOnce,
}

/// <summary>How and how often a job takes checkpoints (Flink's CheckpointConfig). Off unless an interval is set.</summary>
public sealed class CheckpointConfig
{
    private TimeSpan? _interval;
    private TimeSpan _timeout = TimeSpan.FromMinutes(2);
    private TimeSpan _minPause = TimeSpan.Zero;
    private int _retained = 3;

    public bool IsEnabled => _interval is not null;

    /// <summary>Time between the starts of checkpoints; null when checkpointing is off.</summary>
    public TimeSpan? Interval
    {
        get => _interval;
        set
        {
            if (value is { } interval && interval < TimeSpan.FromMilliseconds(10))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The checkpoint interval must be at least 10 ms.");
            }

            _interval = value;
        }
    }

    public CheckpointingMode Mode { get; set; } = CheckpointingMode.ExactlyOnce;

    /// <summary>A checkpoint not complete after this long is abandoned (and counted); the job goes on.</summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The checkpoint timeout must be positive.");
    }

    /// <summary>The least time from the end of one checkpoint to the start of the next, so that checkpoints cannot starve processing.</summary>
    public TimeSpan MinPauseBetweenCheckpoints
    {
        get => _minPause;
        set => _minPause = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The pause must not be negative.");
    }

    /// <summary>Completed checkpoints kept; older ones are deleted. Savepoints are never deleted automatically.</summary>
    public int RetainedCheckpoints
    {
        get => _retained;
        set => _retained = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one checkpoint must be retained.");
    }
}
