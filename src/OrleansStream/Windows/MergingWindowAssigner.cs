namespace OrleansStream.Windows;

/// <summary>
/// An assigner whose windows grow by merging (Flink's MergingWindowAssigner), as session windows do: the
/// operator keeps each key's live windows and, as an element adds one, merges those that overlap.
/// </summary>
public abstract class MergingWindowAssigner : WindowAssigner
{
    /// <summary>
    /// Calls <paramref name="merge"/> for every group of two or more of <paramref name="windows"/> that
    /// merge into one, with the group and the window that covers it.
    /// </summary>
    public abstract void MergeWindows(IReadOnlyCollection<TimeWindow> windows, Action<IReadOnlyList<TimeWindow>, TimeWindow> merge);

    /// <summary>
    /// Merges windows that overlap or touch (Flink's TimeWindow.mergeWindows): sorted by start, each window
    /// joins the group before it when it starts at or before the group's end.
    /// </summary>
    public static void MergeOverlapping(IReadOnlyCollection<TimeWindow> windows, Action<IReadOnlyList<TimeWindow>, TimeWindow> merge)
    {
        var sorted = windows.OrderBy(w => w.Start).ThenBy(w => w.End).ToList();
        var group = new List<TimeWindow>();
        var cover = default(TimeWindow);
        foreach (var window in sorted)
        {
            if (group.Count > 0 && window.Start <= cover.End)
            {
                group.Add(window);
                cover = new TimeWindow(cover.Start, Math.Max(cover.End, window.End));
                continue;
            }

            Report(group, cover, merge);
            group = [window];
            cover = window;
        }

        Report(group, cover, merge);
    }

    private static void Report(List<TimeWindow> group, TimeWindow cover, Action<IReadOnlyList<TimeWindow>, TimeWindow> merge)
    {
        if (group.Count > 1)
        {
            merge(group, cover);
        }
    }
}
