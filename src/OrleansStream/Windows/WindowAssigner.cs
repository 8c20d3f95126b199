namespace OrleansStream.Windows;

/// <summary>
/// Assigns an element to the windows it belongs to (Flink's WindowAssigner): a window operator keeps
/// state per key and window, and the assigner's trigger (or one set with <c>WindowedStream.Trigger</c>)
/// decides when a window emits.
/// </summary>
public abstract class WindowAssigner
{
    /// <summary>True for event-time windows (fired by watermarks, may have late data), false for processing time.</summary>
    public abstract bool IsEventTime { get; }

    /// <summary>
    /// Adds the windows of <paramref name="element"/> to <paramref name="windows"/>: from its event
    /// <paramref name="timestamp"/> for event-time assigners, from <paramref name="currentProcessingTime"/> else.
    /// </summary>
    public abstract void AssignWindows<T>(T element, long timestamp, long currentProcessingTime, List<TimeWindow> windows);

    /// <summary>The trigger windows of this kind fire with unless another is set (Flink's getDefaultTrigger).</summary>
    public abstract Trigger DefaultTrigger { get; }

    public abstract string Describe();

    public override string ToString() => Describe();
}

/// <summary>
/// Windows of a fixed size aligned to a slide and an offset: tumbling (slide equals size) or sliding.
/// Tumbling and sliding event-time windows with the default trigger run on a dedicated fast operator.
/// </summary>
public abstract class AlignedWindowAssigner : WindowAssigner
{
    private protected AlignedWindowAssigner(TimeSpan size, TimeSpan slide, TimeSpan offset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(size, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(slide, TimeSpan.Zero);
        if (slide > size)
        {
            throw new ArgumentException($"Window slide {slide} is larger than the window size {size}: elements between windows would be lost.", nameof(slide));
        }

        Size = (long)size.TotalMilliseconds;
        Slide = (long)slide.TotalMilliseconds;
        Offset = (long)offset.TotalMilliseconds;
        if (Size <= 0 || Slide <= 0)
        {
            throw new ArgumentException("Window size and slide must be at least one millisecond.");
        }
    }

    public long Size { get; }

    public long Slide { get; }

    public long Offset { get; }

    public bool IsTumbling => Size == Slide;

    public override Trigger DefaultTrigger => IsEventTime ? EventTimeTrigger.Create() : ProcessingTimeTrigger.Create();

    /// <summary>Start of the latest window (aligned to slide and offset) that contains <paramref name="timestamp"/>.</summary>
    public long LastWindowStart(long timestamp)
    {
        long remainder = (timestamp - Offset) % Slide;
        if (remainder < 0)
        {
            remainder += Slide;
        }

        return timestamp - remainder;
    }

    /// <summary>Adds every window containing <paramref name="timestamp"/> to <paramref name="windows"/>.</summary>
    public void AssignWindows(long timestamp, List<TimeWindow> windows)
    {
        for (long start = LastWindowStart(timestamp); start > timestamp - Size; start -= Slide)
        {
            windows.Add(new TimeWindow(start, start + Size));
        }
    }

    public override void AssignWindows<T>(T element, long timestamp, long currentProcessingTime, List<TimeWindow> windows)
        => AssignWindows(IsEventTime ? timestamp : currentProcessingTime, windows);
}

/// <summary>Fixed-size, non-overlapping event-time windows.</summary>
public sealed class TumblingEventTimeWindows : AlignedWindowAssigner
{
    private TumblingEventTimeWindows(TimeSpan size, TimeSpan offset) : base(size, size, offset) { }

    public static TumblingEventTimeWindows Of(TimeSpan size) => new(size, TimeSpan.Zero);

    public static TumblingEventTimeWindows Of(TimeSpan size, TimeSpan offset) => new(size, offset);

    public override bool IsEventTime => true;

    public override string Describe() => $"TumblingEventTime({TimeSpan.FromMilliseconds(Size)})";
}

/// <summary>Fixed-size event-time windows that start every <c>slide</c>; an element is in size/slide windows.</summary>
public sealed class SlidingEventTimeWindows : AlignedWindowAssigner
{
    private SlidingEventTimeWindows(TimeSpan size, TimeSpan slide, TimeSpan offset) : base(size, slide, offset) { }

    public static SlidingEventTimeWindows Of(TimeSpan size, TimeSpan slide) => new(size, slide, TimeSpan.Zero);

    public static SlidingEventTimeWindows Of(TimeSpan size, TimeSpan slide, TimeSpan offset) => new(size, slide, offset);

    public override bool IsEventTime => true;

    public override string Describe() => $"SlidingEventTime({TimeSpan.FromMilliseconds(Size)}, {TimeSpan.FromMilliseconds(Slide)})";
}

/// <summary>Fixed-size windows over the wall clock of the subtask that processes the element.</summary>
public sealed class TumblingProcessingTimeWindows : AlignedWindowAssigner
{
    private TumblingProcessingTimeWindows(TimeSpan size, TimeSpan offset) : base(size, size, offset) { }

    public static TumblingProcessingTimeWindows Of(TimeSpan size) => new(size, TimeSpan.Zero);

    public static TumblingProcessingTimeWindows Of(TimeSpan size, TimeSpan offset) => new(size, offset);

    public override bool IsEventTime => false;

    public override string Describe() => $"TumblingProcessingTime({TimeSpan.FromMilliseconds(Size)})";
}

/// <summary>Fixed-size windows over the wall clock that start every <c>slide</c>.</summary>
public sealed class SlidingProcessingTimeWindows : AlignedWindowAssigner
{
    private SlidingProcessingTimeWindows(TimeSpan size, TimeSpan slide, TimeSpan offset) : base(size, slide, offset) { }

    public static SlidingProcessingTimeWindows Of(TimeSpan size, TimeSpan slide) => new(size, slide, TimeSpan.Zero);

    public static SlidingProcessingTimeWindows Of(TimeSpan size, TimeSpan slide, TimeSpan offset) => new(size, slide, offset);

    public override bool IsEventTime => false;

    public override string Describe() => $"SlidingProcessingTime({TimeSpan.FromMilliseconds(Size)}, {TimeSpan.FromMilliseconds(Slide)})";
}
