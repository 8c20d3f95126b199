using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>
/// The job side of a live drain: the task slots a leaving silo holds move, with every subtask in them, to other silos
/// while the job runs, under the same attempt and the same subtask indices (so no key group changes owner and no
/// channel changes). Each subtask is told where to go; a checkpoint is taken; each stops at its snapshot for it (its
/// input waits upstream), migrates once that is stored, and its next activation restores it and goes on. The rest of
/// the job runs on, held back only where it sends to a subtask on the move.
/// </summary>
internal sealed class LiveDrain
{
    private readonly JobExecution _execution;
    private readonly IReadOnlyDictionary<int, SiloAddress> _moves;
    private readonly JobSubmission _submission;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    /// <summary>Each subtask that moves, where to, and whether it runs there yet.</summary>
    private readonly Dictionary<TaskId, (SiloAddress Target, TaskCompletionSource Moved)> _moving = new();

    /// <param name="execution">The running attempt.</param>
    /// <param name="moves">The task slots that move, each to the silo it moves to.</param>
    /// <param name="submission">What the job runs now (its parallelism after any live rescale): the moved subtasks are built from it.</param>
    /// <param name="timeout">How long the subtasks may take to move.</param>
    /// <param name="logger">The job grain's logger.</param>
    public LiveDrain(JobExecution execution, IReadOnlyDictionary<int, SiloAddress> moves, JobSubmission submission, TimeSpan timeout, ILogger logger)
    {
        _execution = execution;
        _moves = moves;
        _submission = submission;
        _timeout = timeout;
        _logger = logger;
        foreach (var (slot, target) in moves)
        {
            foreach (var task in execution.TasksInSlot(slot))
            {
                _moving[task] = (target, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
        }
    }

    public int SubtasksToMove => _moving.Count;

    public int SubtasksMoved { get; private set; }

    /// <summary>The longest time a moved subtask processed nothing.</summary>
    public TimeSpan LongestPause { get; private set; }

    public RescaleInfo Progress(RescaleInfo rescale) => rescale with { SubtasksMoved = SubtasksMoved, LongestPause = LongestPause };

    /// <summary>Moves the slots; <paramref name="checkpoints"/> is held and idle, so that the checkpoint it takes is the one the subtasks stop at.</summary>
    public async Task RunAsync(CheckpointCoordinator checkpoints, CancellationToken cancellationToken)
    {
        await Task.WhenAll(_moving.Select(m => _execution.TaskGrain(m.Key).MoveAtNextSnapshotAsync(new RelocationRequest(m.Value.Target, _submission))));
        cancellationToken.ThrowIfCancellationRequested();
        long checkpoint = await checkpoints.TriggerNowAsync();
        _logger.LogInformation("Job {JobId}: {Count} subtasks stop at checkpoint {Checkpoint} to move to {Silos}",
            _moving.Keys.First().JobId, _moving.Count, checkpoint, string.Join(", ", _moves.Values.Distinct()));
        try
        {
            await Task.WhenAll(_moving.Values.Select(m => m.Moved.Task)).WaitAsync(_timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            var left = _moving.Where(m => !m.Value.Moved.Task.IsCompleted).Select(m => $"subtask {m.Key.Subtask} of {_execution.VertexName(m.Key)}");
            throw new TimeoutException($"Waited {_timeout.TotalSeconds:0.###} s for subtasks to move: {string.Join(", ", left)} did not.");
        }

        foreach (var (slot, silo) in _moves)
        {
            _execution.MoveSlot(slot, silo);
        }
    }

    /// <summary>A subtask runs again where it moved to.</summary>
    public void OnRelocated(TaskRelocated relocated)
    {
        if (_moving.TryGetValue(relocated.Task, out var moving) && moving.Moved.TrySetResult())
        {
            SubtasksMoved++;
            LongestPause = relocated.Paused > LongestPause ? relocated.Paused : LongestPause;
        }
    }
}
