using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansStream.Runtime.Jobs;
using static System.FormattableString;

namespace OrleansStream.Cli;

/// <summary>Prints a <see cref="JobStatus"/> for people, or as JSON for scripts.</summary>
internal static class JobStatusWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Read in terminals and by scripts, never embedded in HTML: "->" stays "->".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void WriteJson(TextWriter writer, JobStatus status)
        => writer.WriteLine(JsonSerializer.Serialize(status, Json));

    public static void WriteText(TextWriter writer, JobStatus status)
    {
        writer.WriteLine(Invariant($"Job      {status.JobId} ({status.JobName})"));
        writer.WriteLine(Invariant($"State    {status.State}, attempt {status.Attempt}"));
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

        int width = status.Vertices.SelectMany(v => v.Operators).Select(o => o.Name.Length).DefaultIfEmpty(0).Max();
        foreach (var vertex in status.Vertices)
        {
            writer.WriteLine(Invariant($"Vertex {vertex.Id}: {vertex.Name}, parallelism {vertex.Parallelism}, {vertex.FinishedSubtasks}/{vertex.Parallelism} subtasks finished"));
            writer.WriteLine(Invariant($"  slots  {string.Join(", ", vertex.Slots)}"));
            foreach (var op in vertex.Operators)
            {
                writer.WriteLine(Invariant($"  {op.Name.PadRight(width)}  {op.RecordsIn,12:N0} in {op.RecordsOut,12:N0} out"));
            }
        }
    }
}
