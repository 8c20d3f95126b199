namespace OrleansStream.Api;

/// <summary>
/// What a job does when a task fails or a silo running its tasks dies: restart from the last completed
/// checkpoint after a delay, until the strategy gives up and the job fails with the cause.
/// </summary>
public abstract record RestartStrategy
{
    /// <summary>The default: up to 10 restarts, 1 s apart.</summary>
    public static RestartStrategy Default { get; } = new FixedDelayRestartStrategy(10, TimeSpan.FromSeconds(1));

    /// <summary>Fails the job at the first failure.</summary>
    public static RestartStrategy None { get; } = new NoRestartStrategy();

    public static RestartStrategy FixedDelay(int maxRestarts, TimeSpan delay) => new FixedDelayRestartStrategy(maxRestarts, delay);

    public static RestartStrategy ExponentialBackoff(TimeSpan initialDelay, TimeSpan maxDelay, double multiplier = 2.0, int maxRestarts = int.MaxValue)
        => new ExponentialBackoffRestartStrategy(initialDelay, maxDelay, multiplier, maxRestarts);

    /// <summary>The delay before restart number <paramref name="restart"/> (from 1), or null to give up.</summary>
    public abstract TimeSpan? DelayBefore(int restart);
}

public sealed record NoRestartStrategy : RestartStrategy
{
    public override TimeSpan? DelayBefore(int restart) => null;

    public override string ToString() => "no restarts";
}

public sealed record FixedDelayRestartStrategy : RestartStrategy
{
    public FixedDelayRestartStrategy(int maxRestarts, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        MaxRestarts = maxRestarts;
        Delay = delay;
    }

    public int MaxRestarts { get; }

    public TimeSpan Delay { get; }

    public override TimeSpan? DelayBefore(int restart) => restart <= MaxRestarts ? Delay : null;

    public override string ToString() => $"fixed delay {Delay.TotalSeconds:0.###} s, at most {MaxRestarts} restarts";
}

public sealed record ExponentialBackoffRestartStrategy : RestartStrategy
{
    public ExponentialBackoffRestartStrategy(TimeSpan initialDelay, TimeSpan maxDelay, double multiplier, int maxRestarts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, initialDelay);
        if (!(multiplier >= 1.0) || !double.IsFinite(multiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(multiplier), multiplier, "The multiplier must be a finite number of at least 1.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);
        InitialDelay = initialDelay;
        MaxDelay = maxDelay;
        Multiplier = multiplier;
        MaxRestarts = maxRestarts;
    }

    public TimeSpan InitialDelay { get; }

    public TimeSpan MaxDelay { get; }

    public double Multiplier { get; }

    public int MaxRestarts { get; }

    public override TimeSpan? DelayBefore(int restart)
    {
        if (restart > MaxRestarts)
        {
            return null;
        }

        double millis = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, restart - 1);
        return TimeSpan.FromMilliseconds(Math.Min(millis, MaxDelay.TotalMilliseconds));
    }

    public override string ToString() => $"exponential backoff from {InitialDelay.TotalSeconds:0.###} s to {MaxDelay.TotalSeconds:0.###} s (x{Multiplier}), at most {MaxRestarts} restarts";
}
