using OrleansStream.Runtime.Channels;

namespace OrleansStream.Runtime.Tasks;

/// <summary>The job asks a subtask to move to <see cref="Target"/> at its next snapshot, to run on there from <see cref="Submission"/>.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.relocation-request")]
internal sealed record RelocationRequest(
    [property: Id(0)] SiloAddress Target,
    [property: Id(1)] Contracts.Jobs.JobSubmission Submission);

/// <summary>
/// A subtask on its way to another silo (a live drain), carried to its next activation by Orleans' grain migration: how
/// to build it again (restoring the snapshot it stopped at), and where its channels stood, so that it goes on under the
/// same identity, attempt and channel numbering, and neither its senders nor its receivers notice the move.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-relocation")]
internal sealed record TaskRelocation(
    [property: Id(0)] TaskDeployment Deployment,
    [property: Id(1)] bool Finished,
    [property: Id(2)] InputGateState? Inputs,
    [property: Id(3)] IReadOnlyList<OutputChannelState> Outputs,
    [property: Id(4)] DateTimeOffset StoppedAt,
    [property: Id(5)] int Generation)
{
    /// <summary>The key of the relocation in Orleans' dehydration context.</summary>
    public const string ContextKey = "orleansstream.relocation";
}

/// <summary>A subtask runs again on the silo it moved to; <see cref="Paused"/> is how long it processed nothing.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.task-relocated")]
internal sealed record TaskRelocated(
    [property: Id(0)] TaskId Task,
    [property: Id(1)] SiloAddress Silo,
    [property: Id(2)] TimeSpan Paused);

/// <summary>
/// A subtask refused input because it is moving to another silo: the sender sends it again shortly, and it reaches the
/// subtask's next activation, which goes on from where this one stopped.
/// </summary>
[GenerateSerializer, Alias("orleansstream.task-relocating")]
internal sealed class TaskRelocatingException : OrleansException
{
    public TaskRelocatingException(string message) : base(message)
    {
    }
}
