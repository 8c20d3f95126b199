using Orleans.Concurrency;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Channels;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Rescaling;

namespace OrleansStream.Runtime.Tasks;

/// <summary>What a task grain needs to run its subtask.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-deployment")]
internal sealed record TaskDeployment(
    [property: Id(0)] TaskId Task,
    [property: Id(1)] JobSubmission Submission,
    [property: Id(2)] TaskRestore? Restore = null,
    [property: Id(3)] bool JoinsRunningJob = false);

/// <summary>One subtask of one attempt of a job (Flink's Task): runs its operator chain.</summary>
internal interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Restores the subtask's state (if the deployment says so), opens its operators and starts it.</summary>
    Task StartAsync(TaskDeployment deployment);

    /// <summary>
    /// Delivers an envelope of one of the task's input channels (the push transport). Returns the highest
    /// sequence number of that channel the task has processed in order: what the sender may forget.
    /// Completes once the envelope is processed and what it produced was sent on, so that a full channel
    /// downstream slows the sender too.
    /// </summary>
    Task<long> DeliverAsync(StreamEnvelope envelope);

    /// <summary>
    /// Takes a snapshot for the checkpoint of <paramref name="barrier"/>: a running source records its
    /// splits and emits the barrier; a finished task snapshots its final state. Returns false when the
    /// task cannot (a running non-source task takes its snapshot when the barriers reach it).
    /// </summary>
    Task<bool> TriggerCheckpointAsync(CheckpointBarrier barrier);

    /// <summary>The job abandoned checkpoint <paramref name="checkpointId"/>: channels held back for its alignment go on.</summary>
    [OneWay]
    Task AbortCheckpointAsync(long checkpointId);

    /// <summary>Checkpoint <paramref name="checkpointId"/> is complete: sinks commit what they pre-committed for it.</summary>
    Task NotifyCheckpointCompleteAsync(long checkpointId);

    /// <summary>Takes input from the subtasks of vertex <paramref name="upstreamVertex"/> up to <paramref name="parallelism"/>: it was scaled up.</summary>
    Task ConnectInputsAsync(int upstreamVertex, int parallelism);

    /// <summary>Sends to the subtasks of vertex <paramref name="targetVertex"/> up to <paramref name="parallelism"/>: it was scaled up.</summary>
    Task ConnectOutputsAsync(int targetVertex, int parallelism);

    /// <summary>Gets ready for a rescale step of this task's vertex: holds the key groups it takes over, notes those it gives away.</summary>
    Task PrepareRescaleStepAsync(RescaleStep step);

    /// <summary>Routes the key groups of <paramref name="step"/> to their new owners and sends the step's handover marker downstream.</summary>
    Task RerouteAsync(RescaleStep step);

    /// <summary>Ends the channels to the subtasks of vertex <paramref name="targetVertex"/> from <paramref name="parallelism"/> on: it was scaled down.</summary>
    Task RetireOutputsAsync(int targetVertex, int parallelism);

    /// <summary>State of key groups this subtask takes over: installs it and lets their held records go.</summary>
    Task InstallKeyGroupsAsync(KeyGroupHandoff handoff);

    /// <summary>The ids of the splits a source subtask reads; empty once it has finished.</summary>
    Task<IReadOnlyList<string>> SplitsAsync();

    /// <summary>
    /// A source subtask stops reading the splits <paramref name="splitIds"/> and returns them with their progress, once
    /// everything it emitted before has been processed downstream: records of a split that moves stay in order. One that
    /// has finished meanwhile returns none: its splits, read to their end, stay in its final state.
    /// </summary>
    Task<SplitHandoff> TakeSplitsAsync(IReadOnlyList<string> splitIds);

    /// <summary>
    /// A source subtask reads the splits of <paramref name="handoff"/> too. One that joined the running job reads nothing
    /// until its first hand-off, which may be empty (it then has nothing to read, and finishes).
    /// </summary>
    Task AddSplitsAsync(SplitHandoff handoff);

    /// <summary>
    /// A source subtask that a live rescale retired, its splits handed over, ends its input (a reader may never say that it
    /// has nothing left, an unbounded one least of all): it finishes like any subtask whose input ended.
    /// </summary>
    Task EndSourceAsync();

    /// <summary>
    /// A source subtask stops reading until <see cref="ResumeSourceAsync"/>, once everything it emitted has been processed
    /// downstream: its broadcast output is quiet while a live rescale copies broadcast state to new subtasks.
    /// </summary>
    Task PauseSourceAsync();

    Task ResumeSourceAsync();

    /// <summary>The broadcast state of the subtask's broadcast operator, as a checkpoint holds it.</summary>
    /// <summary>Moves the task to another silo at its next snapshot, with its state (a live drain).</summary>
    Task MoveAtNextSnapshotAsync(RelocationRequest request);

    Task<byte[]> ExportBroadcastStateAsync();

    /// <summary>A subtask a live rescale added takes <paramref name="state"/> as its broadcast operator's state.</summary>
    Task ImportBroadcastStateAsync(byte[] state);

    /// <summary>
    /// Stops the subtask if it still runs and lets its activation go. Interleaves, so that a task
    /// waiting on a full channel still hears it.
    /// </summary>
    [AlwaysInterleave]
    Task ReleaseAsync();
}
