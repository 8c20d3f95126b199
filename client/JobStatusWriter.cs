using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;

using static System.FormattableString;

namespace OrleansStream.Cli;

/// <summary>Prints a <see cref="JobStatus"/> for people.</summary>
internal static class JobStatusWriter
{
    private static string Wakes(JobStatus status) => status.Wakes switch { 0 => "", 1 => ", woke once from idle", var n => Invariant($", woke {n} times from idle") };

    public static void WriteText(TextWriter writer, JobStatus status)
    {
        writer.WriteLine(Invariant($"Job      {status.JobId} ({status.JobName})"));
        writer.WriteLine(Invariant($"State    {status.State}, attempt {status.Attempt}{Wakes(status)}"));
        if (status.IdleSince is { } idleSince)
        {
            writer.WriteLine(Invariant($"Idle     since {idleSince:u} ({(DateTimeOffset.UtcNow - idleSince).TotalSeconds:F0} s): no task runs; it wakes from its latest checkpoint when its sources have input"));
        }
        if (status.StartedAt is { } started)
        {
            var ended = status.EndedAt ?? DateTimeOffset.UtcNow;
            writer.WriteLine(Invariant($"Started  {started:u}, {(status.EndedAt is null ? "running for" : "ran")} {(ended - started).TotalSeconds:F1} s"));
        }

        if (status.Failure is not null)
        {
            writer.WriteLine(Invariant($"Failure  {status.Failure}"));
        }

        var checkpoints = status.Checkpoints;
        writer.WriteLine(Invariant($"Checkpoints {checkpoints.Completed} completed, {checkpoints.Failed} failed{(checkpoints.InProgress is { } pending ? $", {pending} in progress" : "")}; restarts {checkpoints.Restarts}"));
        if (checkpoints.Latest is { } latest)
        {
            writer.WriteLine(Invariant($"  latest {latest.Kind.ToString().ToLowerInvariant()} {latest.Pointer} at {latest.CompletedAt:u}, {latest.Duration.TotalMilliseconds:F0} ms, {latest.Bytes:N0} bytes"));
        }

        foreach (var savepoint in checkpoints.Savepoints)
        {
            writer.WriteLine(Invariant($"  savepoint {savepoint.Pointer} at {savepoint.CompletedAt:u}"));
        }

        if (checkpoints.RestoredFrom is { } from)
        {
            writer.WriteLine(Invariant($"  started from {from}"));
        }

        if (checkpoints.LastFailure is { } lastFailure && status.Failure is null)
        {
            writer.WriteLine(Invariant($"  last failure {lastFailure}"));
        }

        WriteRescales(writer, status.Rescales ?? []);
        int width = status.Vertices.SelectMany(v => v.Operators).Select(o => o.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var vertex in status.Vertices)
        {
            string target = status.Rescaling?.Vertices.FirstOrDefault(v => v.Vertex == vertex.Name) is { } change && change.To != vertex.Parallelism
                ? Invariant($" (rescaling to {change.To})")
                : "";
            writer.WriteLine(Invariant($"Vertex {vertex.Id}: {vertex.Name}, parallelism {vertex.Parallelism}{target}, {vertex.FinishedSubtasks}/{vertex.Parallelism} subtasks finished, watermark {FormatWatermark(vertex.Watermark)}"));
            writer.WriteLine(Invariant($"  slots  {string.Join(", ", vertex.Slots)}"));
            if (vertex.Time is { } time)
            {
                writer.WriteLine(Invariant($"  time   busy {time.BusyTimeMsPerSecond:F0} ms/s, backpressured {time.BackPressuredTimeMsPerSecond:F0} ms/s (most of any subtask), idle {time.IdleTimeMsPerSecond:F0} ms/s"));
            }

            if (vertex.Backlog is { } backlog)
            {
                string records = backlog.PendingRecords is { } count ? Invariant($"{count:N0} records") : "records unknown";
                string bytes = backlog.PendingBytes is { } size ? Invariant($", {size:N0} bytes") : "";
                writer.WriteLine(Invariant($"  backlog {records}{bytes} pending in {backlog.PendingSplits} unfinished splits"));
            }

            foreach (var op in vertex.Operators)
            {
                writer.WriteLine(Invariant($"  {op.Name.PadRight(width)}  {op.RecordsIn,12:N0} in {op.RecordsInPerSecond,10:N0}/s {op.RecordsOut,12:N0} out {op.RecordsOutPerSecond,10:N0}/s"));
            }
        }
    }

    /// <summary>The rescale under way with how far it has got, then the history, newest last.</summary>
    private static void WriteRescales(TextWriter writer, IReadOnlyList<RescaleInfo> rescales)
    {
        if (rescales.Count == 0)
        {
            return;
        }

        writer.WriteLine(Invariant($"Rescales {rescales.Count(r => r.State == RescaleState.Completed)} completed, {rescales.Count(r => r.State == RescaleState.Failed)} failed"));
        foreach (var rescale in rescales)
        {
            writer.WriteLine("  " + Describe(rescale));
        }
    }

    /// <summary>One rescale on one line: when, who, how, what changed, and what it cost or why it failed.</summary>
    public static string Describe(RescaleInfo rescale)
    {
        string what = Invariant($"#{rescale.Id} {rescale.StartedAt:u} {rescale.Trigger.ToString().ToLowerInvariant()} {rescale.Mode.ToString().ToLowerInvariant()} {string.Join(", ", rescale.Vertices)}");
        string moved = rescale.SubtasksMoved > 0
            ? Invariant($"{rescale.SubtasksMoved} subtasks moved with their state, longest pause {rescale.LongestPause.TotalMilliseconds:F0} ms")
            : rescale.Mode == RescaleMode.Live
            ? Invariant($"{rescale.KeyGroupsMoved}/{rescale.KeyGroupsToMove} key groups{(rescale.SplitsMoved > 0 ? $" and {rescale.SplitsMoved} splits" : "")} moved, {rescale.BytesMoved:N0} bytes, longest pause {rescale.LongestPause.TotalMilliseconds:F0} ms")
            : Invariant($"job paused {rescale.LongestPause.TotalMilliseconds:F0} ms");
        return rescale.State switch
        {
            RescaleState.InProgress => Invariant($"{what}: in progress, {moved}"),
            RescaleState.Completed => Invariant($"{what}: completed in {rescale.Duration?.TotalSeconds:F2} s, {moved}"),
            _ => Invariant($"{what}: failed: {rescale.Failure}"),
        } + (rescale.Reason is { } reason ? $" ({reason})" : "");
    }

    private static string FormatWatermark(long? watermark) => watermark switch
    {
        null => "none yet",
        long.MaxValue => "end of input",
        // Event time need not be wall-clock time: values out of the calendar's range print as they are.
        { } millis when millis < -62_135_596_800_000 || millis > 253_402_300_799_999 => millis.ToString(System.Globalization.CultureInfo.InvariantCulture),
        { } millis => DateTimeOffset.FromUnixTimeMilliseconds(millis).ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture),
    };
}
