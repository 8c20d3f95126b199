using System.Diagnostics;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Tasks;

/// <summary>
/// Where a task's time goes (Flink's busyTimeMsPerSecond, backPressuredTimeMsPerSecond, idleTimeMsPerSecond): busy
/// while its mailbox runs a mail, backpressured while what a mail produced waits for room downstream (or in an
/// operator that holds input back), idle otherwise. The autoscaler reads the busy time; status shows all three.
/// </summary>
internal sealed class TaskTime
{
    private long _busy;
    private long _backpressured;
    private long _lastBusy;
    private long _lastBackpressured;
    private long _lastAt = Stopwatch.GetTimestamp();

    public void AddBusy(long ticks) => _busy += ticks;

    public void AddBackpressured(long ticks) => _backpressured += ticks;

    /// <summary>Milliseconds per second of each kind since the last read.</summary>
    public TaskTimeMetrics Read()
    {
        long now = Stopwatch.GetTimestamp();
        double elapsed = now - _lastAt;
        if (elapsed <= 0)
        {
            return new TaskTimeMetrics(0, 0, 1000);
        }

        double busy = Math.Clamp((_busy - _lastBusy) / elapsed * 1000, 0, 1000);
        double backpressured = Math.Clamp((_backpressured - _lastBackpressured) / elapsed * 1000, 0, 1000 - busy);
        (_lastBusy, _lastBackpressured, _lastAt) = (_busy, _backpressured, now);
        return new TaskTimeMetrics(busy, backpressured, 1000 - busy - backpressured);
    }
}
