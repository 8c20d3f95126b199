using OrleansStream.Api;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Runtime.Idling;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// The durable part of a job grain: enough to resume supervising the job on another silo — what was
/// submitted, where the job stands, and the completed checkpoints it restarts from.
/// </summary>
[GenerateSerializer, Alias("orleansstream.job-record")]
internal sealed class JobRecord : ICheckpointLedger
{
    /// <summary>What was submitted, with the parallelism of the vertices rescaled since.</summary>
    [Id(0)] public required JobSubmission Submission { get; set; }

    [Id(1)] public JobState State { get; set; }

    [Id(2)] public int Attempt { get; set; }

    [Id(3)] public string? Failure { get; set; }

    [Id(4)] public DateTimeOffset? StartedAt { get; set; }

    [Id(5)] public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The id the next checkpoint or savepoint gets; ids only grow, across attempts.</summary>
    [Id(6)] public long NextCheckpointId { get; set; } = 1;

    /// <summary>Completed checkpoints kept for recovery, oldest first.</summary>
    [Id(7)] public List<CompletedCheckpointInfo> Retained { get; init; } = new();

    [Id(8)] public List<CompletedCheckpointInfo> Savepoints { get; init; } = new();

    [Id(9)] public int Restarts { get; set; }

    /// <summary>The savepoint the job was started from: its restore point until its first checkpoint completes.</summary>
    [Id(10)] public string? StartedFrom { get; set; }

    [Id(11)] public long CompletedCheckpoints { get; set; }

    [Id(12)] public long FailedCheckpoints { get; set; }

    [Id(13)] public string? LastFailure { get; set; }

    /// <summary>Counts the writes of the record, so that the job list can tell a newer summary from an older one.</summary>
    [Id(14)] public long Revision { get; set; }

    /// <summary>The task slots the job needs (its largest parallelism), for the job list.</summary>
    [Id(15)] public int Slots { get; set; }

    /// <summary>The job's rescales, oldest first: the last <see cref="RescaleHistory"/>.</summary>
    [Id(16)] public List<RescaleInfo> Rescales { get; init; } = new();

    /// <summary>The id the next step of a live rescale gets; ids only grow, so that a marker of an old step is never taken for a new one.</summary>
    [Id(17)] public long NextRescaleStep { get; set; } = 1;

    /// <summary>
    /// Set by a job grain that let go of the running job in good order (its silo stopped gracefully): the silos of the
    /// attempt's task slots, so that the next activation takes the attempt over instead of restarting it.
    /// </summary>
    [Id(18)] public List<string>? HandedOverSlots { get; set; }

    /// <summary>Since when the job is idle; null unless it is.</summary>
    [Id(19)] public DateTimeOffset? IdleSince { get; set; }

    /// <summary>Of an idle job, what each of its source subtasks had read as it went idle: it wakes when there is input beyond them.</summary>
    [Id(20)] public List<SourceInputMark>? IdleMarks { get; set; }

    /// <summary>How often the job woke from idle.</summary>
    [Id(21)] public int Wakes { get; set; }

    private const int RescaleHistory = 20;

    /// <summary>The rescale under way, if any.</summary>
    public RescaleInfo? Rescaling => Rescales.LastOrDefault(r => r.State == RescaleState.InProgress);

    /// <summary>The id the next rescale gets.</summary>
    public long NextRescaleId => Rescales.Count == 0 ? 1 : Rescales[^1].Id + 1;

    public void AddRescale(RescaleInfo rescale)
    {
        Rescales.Add(rescale);
        if (Rescales.Count > RescaleHistory)
        {
            Rescales.RemoveAt(0);
        }
    }

    /// <summary>Changes rescale <paramref name="id"/> as <paramref name="update"/> says, if it is still listed.</summary>
    public void UpdateRescale(long id, Func<RescaleInfo, RescaleInfo> update)
    {
        int index = Rescales.FindIndex(r => r.Id == id);
        if (index >= 0)
        {
            Rescales[index] = update(Rescales[index]);
        }
    }

    /// <summary>The record of a job just accepted, as attempt 1; its checkpoint ids go on from those of the savepoint it starts from, if any.</summary>
    public static JobRecord Started(JobSubmission submission, int slots, long? fromCheckpointId) => new()
    {
        Submission = submission,
        State = JobState.Running,
        Attempt = 1,
        StartedAt = DateTimeOffset.UtcNow,
        StartedFrom = submission.FromSavepoint,
        Slots = slots,

        // Restored tasks and sinks order their state by checkpoint id.
        NextCheckpointId = (fromCheckpointId ?? 0) + 1,
    };

    /// <summary>
    /// The running attempt failed with <paramref name="cause"/>: counts a restart and returns the delay before
    /// the next attempt (the job is restarting), or null when <paramref name="strategy"/> gives up, with the
    /// job's failure in <paramref name="failure"/>.
    /// </summary>
    public TimeSpan? AttemptFailed(string cause, RestartStrategy strategy, out string failure)
    {
        LastFailure = cause;
        Restarts++;
        failure = Restarts == 1 ? cause : $"{cause} (gave up after {Restarts - 1} restarts; {strategy})";
        var delay = strategy.DelayBefore(Restarts);
        if (delay is not null)
        {
            State = JobState.Restarting;
        }

        return delay;
    }

    /// <summary>The next attempt starts.</summary>
    public void NextAttempt()
    {
        Attempt++;
        State = JobState.Running;
    }

    /// <summary>The job went idle at its last checkpoint, its sources' input marked as <paramref name="marks"/>.</summary>
    public void Idle(List<SourceInputMark> marks)
    {
        State = JobState.Idle;
        IdleSince = DateTimeOffset.UtcNow;
        IdleMarks = marks;
    }

    /// <summary>Input arrived for the idle job: it restarts from its last checkpoint.</summary>
    public void Wake()
    {
        State = JobState.Restarting;
        IdleSince = null;
        IdleMarks = null;
        Wakes++;
    }

    /// <summary>The job ended in <paramref name="state"/>.</summary>
    public void End(JobState state, string? failure)
    {
        State = state;
        Failure = failure;
        EndedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The job's name as the cluster accepted it.</summary>
    public string JobName => Submission.DefaultName;

    /// <summary>The newest completed checkpoint or savepoint of this job, if any.</summary>
    public CompletedCheckpointInfo? LatestCompleted => Retained.Concat(Savepoints).MaxBy(c => c.Id);

    /// <summary>Where a restart restores from: the latest completed checkpoint or savepoint, else the savepoint the job started from.</summary>
    public string? RestorePoint => LatestCompleted?.Pointer ?? StartedFrom;
}
