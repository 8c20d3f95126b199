namespace OrleansStream.Runtime.Rescaling;

/// <summary>
/// Reactive mode's decision for one adaptive job (Flink's reactive mode with its resource stabilization timeout):
/// the parallelism the free slots allow, up to the job's maximum, once it has held for the stabilization window,
/// so that silos starting one after another cause one rescale, not one each.
/// </summary>
internal sealed class ReactiveScaler(TimeSpan stabilization, TimeProvider time)
{
    private (int Target, DateTimeOffset Since)? _pending;

    /// <summary>The parallelism to rescale to now, or null: the job runs at what the slots allow, or the change has not held long enough.</summary>
    public int? Decide(int current, int max, int freeSlots)
    {
        int target = Math.Min(max, freeSlots);
        if (target < 1 || target == current)
        {
            _pending = null;
            return null;
        }

        var now = time.GetUtcNow();
        if (_pending is not { } pending || pending.Target != target)
        {
            _pending = (target, now);
            return null;
        }

        if (now - pending.Since < stabilization)
        {
            return null;
        }

        _pending = null;
        return target;
    }
}
