namespace OrleansStream.Contracts.Jobs;

/// <summary>
/// How many subtasks a job's vertices run: a fixed number, or adaptive (Flink's reactive mode): as many as the
/// cluster's free task slots allow, up to a maximum, following the slots as silos come and go.
/// </summary>
public readonly record struct Parallelism
{
    private Parallelism(int value, bool adaptive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        Value = value;
        IsAdaptive = adaptive;
    }

    /// <summary>The parallelism, or for an adaptive one its maximum.</summary>
    public int Value { get; }

    public bool IsAdaptive { get; }

    public static Parallelism Fixed(int parallelism) => new(parallelism, adaptive: false);

    /// <summary>As many subtasks as the free task slots allow, up to <paramref name="max"/>.</summary>
    public static Parallelism Adaptive(int max) => new(max, adaptive: true);

    public static implicit operator Parallelism(int parallelism) => Fixed(parallelism);

    public override string ToString() => IsAdaptive ? $"adaptive up to {Value}" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
