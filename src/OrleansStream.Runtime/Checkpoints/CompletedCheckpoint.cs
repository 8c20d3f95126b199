namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// A checkpoint the coordinator has just completed and recorded. For a final checkpoint or a
/// stop-with-savepoint the job ends only once <see cref="Committed"/> completes: every subtask's sinks
/// have committed what they pre-committed for it.
/// </summary>
internal sealed record CompletedCheckpoint(long Id, string Pointer, bool IsFinal, bool StopAfter, Task Committed);
