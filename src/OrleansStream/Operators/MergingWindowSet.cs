using OrleansStream.State;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// The live windows of the current key under a merging assigner (Flink's MergingWindowSet): each window maps to
/// the state window whose namespace holds its contents, so that a merge moves no state but the merged windows'
/// own. The mapping is keyed state, checkpointed with the contents, so merges after a restore are exact.
/// </summary>
internal sealed class MergingWindowSet<TKey>
    where TKey : notnull
{
    private readonly MergingWindowAssigner _assigner;
    private readonly IMapState<TimeWindow, TimeWindow> _stateWindows;
    private readonly List<TimeWindow> _candidates = new();
    private readonly List<(TimeWindow Result, List<TimeWindow> Merged)> _merges = new();

    public MergingWindowSet(MergingWindowAssigner assigner, KeyedStateBackend<TKey> state)
    {
        _assigner = assigner;
        _stateWindows = state.GetMapState<TimeWindow, TimeWindow>("merging-windows");
    }

    /// <summary>Called for each merge: the merged window, the windows merged into it, its state window and the state windows to fold into that.</summary>
    public delegate void MergeFunction(TimeWindow mergeResult, IReadOnlyList<TimeWindow> mergedWindows, TimeWindow stateWindowResult, IReadOnlyList<TimeWindow> mergedStateWindows);

    /// <summary>The state window of <paramref name="window"/>, false when the window is not live (merged away or removed).</summary>
    public bool TryGetStateWindow(TimeWindow window, out TimeWindow stateWindow) => _stateWindows.TryGetValue(window, out stateWindow);

    /// <summary>Removes a window that fired for good or was late.</summary>
    public void RetireWindow(TimeWindow window)
    {
        if (!_stateWindows.Remove(window))
        {
            throw new InvalidOperationException($"Window {window} is not among the key's live windows.");
        }
    }

    /// <summary>
    /// Adds <paramref name="newWindow"/> and merges the windows that now overlap, calling <paramref name="merge"/>
    /// for each merge that combines state; returns the window the new one ended up in.
    /// </summary>
    public TimeWindow AddWindow(TimeWindow newWindow, MergeFunction merge)
    {
        _candidates.Clear();
        foreach (var (window, _) in _stateWindows.Entries)
        {
            _candidates.Add(window);
        }

        _candidates.Add(newWindow);
        _merges.Clear();
        _assigner.MergeWindows(_candidates, (merged, result) => _merges.Add((result, merged.ToList())));

        var resultWindow = newWindow;
        bool mergedNewWindow = false;
        foreach (var (mergeResult, mergedWindows) in _merges)
        {
            if (mergedWindows.Remove(newWindow))
            {
                mergedNewWindow = true;
                resultWindow = mergeResult;
            }

            // The merged window keeps the state window of one of its parts (the earliest): its contents stay put.
            var keptStateWindow = _stateWindows.TryGetValue(mergedWindows[0], out var kept) ? kept : mergedWindows[0];
            var mergedStateWindows = new List<TimeWindow>();
            foreach (var window in mergedWindows)
            {
                if (_stateWindows.TryGetValue(window, out var stateWindow))
                {
                    _stateWindows.Remove(window);
                    mergedStateWindows.Add(stateWindow);
                }
            }

            _stateWindows.Put(mergeResult, keptStateWindow);
            mergedStateWindows.Remove(keptStateWindow);

            // A new window inside one live window merges nothing: the live window takes the element as it is.
            if (!(mergedWindows.Count == 1 && mergedWindows[0] == mergeResult))
            {
                merge(mergeResult, mergedWindows, keptStateWindow, mergedStateWindows);
            }
        }

        if (_merges.Count == 0 || (resultWindow == newWindow && !mergedNewWindow))
        {
            _stateWindows.Put(resultWindow, resultWindow);
        }

        return resultWindow;
    }
}
