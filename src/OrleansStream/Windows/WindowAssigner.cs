namespace OrleansStream.Windows;

/// <summary>Assigns an element to the time windows it belongs to.</summary>
public abstract class WindowAssigner
{
    private protected WindowAssigner(TimeSpan size, TimeSpan slide, TimeSpan offset)
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

    /// <summary>True for event-time windows (fired by watermarks), false for processing time.</summary>
    public abstract bool IsEventTime { get; }

    public bool IsTumbling => Size == Slide;

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

    public abstract string Describe();

    public override string ToString() => Describe();
}

/// <summary>Fixed-size, non-overlapping event-time windows.</summary>
public sealed class TumblingEventTimeWindows : WindowAssigner
{
    private TumblingEventTimeWindows(TimeSpan size, TimeSpan offset) : base(size, size, offset) { }

    public static TumblingEventTimeWindows Of(TimeSpan size) => new(size, TimeSpan.Zero);

    public static TumblingEventTimeWindows Of(TimeSpan size, TimeSpan offset) => new(size, offset);

    public override bool IsEventTime => true;

    public override string Describe() => $"TumblingEventTime({TimeSpan.FromMilliseconds(Size)})";
}

/// <summary>Fixed-size event-time windows that start every <c>slide</c>; an element is in size/slide windows.</summary>
public sealed class SlidingEventTimeWindows : WindowAssigner
{
    private SlidingEventTimeWindows(TimeSpan size, TimeSpan slide, TimeSpan offset) : base(size, slide, offset) { }

    public static SlidingEventTimeWindows Of(TimeSpan size, TimeSpan slide) => new(size, slide, TimeSpan.Zero);

    public static SlidingEventTimeWindows Of(TimeSpan size, TimeSpan slide, TimeSpan offset) => new(size, slide, offset);

    public override bool IsEventTime => true;

    public override string Describe() => $"SlidingEventTime({TimeSpan.FromMilliseconds(Size)}, {TimeSpan.FromMilliseconds(Slide)})";
}

/// <summary>Fixed-size windows over the wall clock of the subtask that processes the element.</summary>
public sealed class TumblingProcessingTimeWindows : WindowAssigner
{
    private TumblingProcessingTimeWindows(TimeSpan size, TimeSpan offset) : base(size, size, offset) { }

    public static TumblingProcessingTimeWindows Of(TimeSpan size) => new(size, TimeSpan.Zero);

    public override bool IsEventTime => false;

    public override string Describe() => $"TumblingProcessingTime({TimeSpan.FromMilliseconds(Size)})";
}
