namespace OrleansStream.Windows;

/// <summary>
/// Base of session windows: an element opens the window <c>[t, t + gap)</c>, and windows of a key that
/// overlap or touch merge, so a session ends after a gap without elements.
/// </summary>
public abstract class SessionWindowAssigner : MergingWindowAssigner
{
    public override void AssignWindows<T>(T element, long timestamp, long currentProcessingTime, List<TimeWindow> windows)
    {
        long start = IsEventTime ? timestamp : currentProcessingTime;
        long gap = GapOf(element);
        if (gap <= 0)
        {
            throw new ArgumentException($"{Describe()} computed a session gap of {gap} ms; a gap must be positive.");
        }

        windows.Add(new TimeWindow(start, start > long.MaxValue - gap ? long.MaxValue : start + gap));
    }

    public override void MergeWindows(IReadOnlyCollection<TimeWindow> windows, Action<IReadOnlyList<TimeWindow>, TimeWindow> merge)
        => MergeOverlapping(windows, merge);

    public override Trigger DefaultTrigger => IsEventTime ? EventTimeTrigger.Create() : ProcessingTimeTrigger.Create();

    /// <summary>The session gap after <paramref name="element"/>, in milliseconds.</summary>
    private protected abstract long GapOf<T>(T element);

    private protected static long Millis(TimeSpan gap)
    {
        long millis = (long)gap.TotalMilliseconds;
        if (millis <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gap), gap, "A session gap must be at least one millisecond.");
        }

        return millis;
    }
}

/// <summary>Event-time session windows with a fixed gap (Flink's EventTimeSessionWindows).</summary>
public sealed class EventTimeSessionWindows : SessionWindowAssigner
{
    private readonly long _gap;

    private EventTimeSessionWindows(TimeSpan gap) => _gap = Millis(gap);

    public static EventTimeSessionWindows WithGap(TimeSpan gap) => new(gap);

    /// <summary>Sessions whose gap after each element is computed from the element (Flink's withDynamicGap).</summary>
    public static DynamicEventTimeSessionWindows<T> WithDynamicGap<T>(Func<T, TimeSpan> gapExtractor) => new(gapExtractor);

    public override bool IsEventTime => true;

    public override string Describe() => $"EventTimeSession({TimeSpan.FromMilliseconds(_gap)})";

    private protected override long GapOf<T>(T element) => _gap;
}

/// <summary>Processing-time session windows with a fixed gap (Flink's ProcessingTimeSessionWindows).</summary>
public sealed class ProcessingTimeSessionWindows : SessionWindowAssigner
{
    private readonly long _gap;

    private ProcessingTimeSessionWindows(TimeSpan gap) => _gap = Millis(gap);

    public static ProcessingTimeSessionWindows WithGap(TimeSpan gap) => new(gap);

    /// <summary>Sessions whose gap after each element is computed from the element.</summary>
    public static DynamicProcessingTimeSessionWindows<T> WithDynamicGap<T>(Func<T, TimeSpan> gapExtractor) => new(gapExtractor);

    public override bool IsEventTime => false;

    public override string Describe() => $"ProcessingTimeSession({TimeSpan.FromMilliseconds(_gap)})";

    private protected override long GapOf<T>(T element) => _gap;
}

/// <summary>Event-time session windows whose gap is computed per element (Flink's DynamicEventTimeSessionWindows).</summary>
public sealed class DynamicEventTimeSessionWindows<TElement> : SessionWindowAssigner
{
    private readonly Func<TElement, TimeSpan> _gapExtractor;

    internal DynamicEventTimeSessionWindows(Func<TElement, TimeSpan> gapExtractor)
        => _gapExtractor = gapExtractor ?? throw new ArgumentNullException(nameof(gapExtractor));

    public override bool IsEventTime => true;

    public override string Describe() => "DynamicEventTimeSession";

    private protected override long GapOf<T>(T element) => DynamicGap.Of(_gapExtractor, element, this);
}

/// <summary>Processing-time session windows whose gap is computed per element.</summary>
public sealed class DynamicProcessingTimeSessionWindows<TElement> : SessionWindowAssigner
{
    private readonly Func<TElement, TimeSpan> _gapExtractor;

    internal DynamicProcessingTimeSessionWindows(Func<TElement, TimeSpan> gapExtractor)
        => _gapExtractor = gapExtractor ?? throw new ArgumentNullException(nameof(gapExtractor));

    public override bool IsEventTime => false;

    public override string Describe() => "DynamicProcessingTimeSession";

    private protected override long GapOf<T>(T element) => DynamicGap.Of(_gapExtractor, element, this);
}

/// <summary>Applies a gap extractor to an element of the stream's type.</summary>
file static class DynamicGap
{
    public static long Of<TElement, T>(Func<TElement, TimeSpan> extractor, T element, WindowAssigner assigner)
        => element is TElement typed
            ? (long)extractor(typed).TotalMilliseconds
            : throw new InvalidOperationException($"{assigner} computes gaps from {typeof(TElement).Name} elements, but the stream carries {typeof(T).Name}.");
}
