using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Graph;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>
/// The job side of a live rescale (Megaphone's controller): changes the parallelism of keyed vertices, vertices that
/// read round robin, and sources while the job runs. For each vertex, scaled up: the vertices it sends to take input from its new subtasks, the
/// new subtasks start, and its upstream writers connect to them. Then the key groups that change owner move in
/// bounded steps: both owners are told of the step, the upstream writers switch the step's routes and send a
/// handover marker, the old owner hands the state over once every input passed the marker, and the new owner
/// lets the records it held go once the state is in. Scaled down: the upstream writers end the channels to
/// the subtasks that are left without key groups, which finish and stay until a checkpoint holds their final
/// state. A vertex that reads round robin moves nothing: its new subtasks take their share of the input as it comes.
/// A source moves splits instead of key groups (<see cref="RescaleSourceAsync"/>). Checkpoints are held off
/// meanwhile, so that none sees a key group or a split in two places or in none.
/// </summary>
internal sealed class LiveRescale
{
    private readonly string _jobId;
    private readonly int _attempt;
    private readonly JobExecution _execution;
    private readonly JobGraph _from;
    private readonly IReadOnlyList<RescaleStage> _stages;
    private readonly IReadOnlyList<SiloAddress> _slots;
    private readonly RescaleSettings _settings;
    private readonly Func<long> _nextStepId;
    private readonly ILogger _logger;
    private StepWaiter? _waiter;

    public LiveRescale(string jobId, int attempt, JobExecution execution, JobGraph from, RescalePlan plan, RescaleSettings settings, Func<long> nextStepId, ILogger logger)
    {
        _jobId = jobId;
        _attempt = attempt;
        _execution = execution;
        _from = from;
        _stages = plan.Stages;
        _slots = plan.Slots;
        _settings = settings;
        _nextStepId = nextStepId;
        _logger = logger;
        KeyGroupsToMove = KeyGroupMove.Count(from, plan.Graph);
    }

    public int KeyGroupsToMove { get; }

    public int KeyGroupsMoved { get; private set; }

    public long BytesMoved { get; private set; }

    public long HeldRecords { get; private set; }

    public int SplitsMoved { get; private set; }

    public TimeSpan LongestPause { get; private set; }

    /// <summary><paramref name="rescale"/> with how far this one has got: what moved, how much, and the longest pause.</summary>
    public RescaleInfo Progress(RescaleInfo rescale) => rescale with
    {
        KeyGroupsToMove = KeyGroupsToMove,
        KeyGroupsMoved = KeyGroupsMoved,
        SplitsMoved = SplitsMoved,
        BytesMoved = BytesMoved,
        HeldRecords = HeldRecords,
        LongestPause = LongestPause,
    };

    /// <summary>Rescales the changed vertices one at a time, in the graph's order; the execution runs each stage's graph from when it starts.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var before = _from;
        foreach (var stage in _stages)
        {
            // After every await: an attempt that ended meanwhile has another execution, which this must not touch.
            cancellationToken.ThrowIfCancellationRequested();
            _execution.Rescale(stage.Graph, _slots);
            int from = before.Vertex(stage.VertexId).Parallelism;
            await (stage.Graph.Vertex(stage.VertexId).IsSource ? RescaleSourceAsync(from, stage, cancellationToken) : RescaleVertexAsync(from, stage, cancellationToken));
            before = stage.Graph;
        }
    }

    /// <summary>A subtask installed key groups handed over to it.</summary>
    public void OnInstalled(KeyGroupsInstalled installed)
    {
        KeyGroupsMoved += installed.KeyGroups;
        BytesMoved += installed.Bytes;
        HeldRecords += installed.HeldRecords;
        LongestPause = installed.LongestPause > LongestPause ? installed.LongestPause : LongestPause;
        _waiter?.OnInstalled(installed);
    }

    private async Task RescaleVertexAsync(int from, RescaleStage stage, CancellationToken cancellationToken)
    {
        var vertex = stage.Graph.Vertex(stage.VertexId);
        int to = vertex.Parallelism;
        var upstream = vertex.Inputs.Select(e => e.Source.Id).Distinct().ToList();
        _logger.LogInformation("Job {JobId}: rescaling {Vertex} live from {From} to {To}", _jobId, vertex.Name, from, to);
        if (to > from)
        {
            await StartAddedAsync(vertex, from, stage, cancellationToken);
            var broadcasters = vertex.Inputs.Where(e => e.Partitioner == PartitionerKind.Broadcast).Select(e => e.Source.Id).Distinct().ToList();
            await OnTasksOfAsync(upstream.Except(broadcasters), task => task.ConnectOutputsAsync(vertex.Id, to), includeFinished: true);
            if (broadcasters.Count > 0)
            {
                await ConnectBroadcastAsync(vertex, from, broadcasters, cancellationToken);
            }
        }

        // A vertex that reads round robin has no key groups: its new subtasks take their share of the input as it comes.
        var keyGroupMoves = KeyGroupMove.IsKeyed(vertex) ? KeyGroupMove.Between(stage.Graph.MaxParallelism, from, to) : [];
        foreach (var moves in keyGroupMoves.Chunk(_settings.KeyGroupsPerStep))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = new RescaleStep(_nextStepId(), vertex.Id, moves);
            await MoveAsync(vertex, step, upstream, cancellationToken);
            if (_settings.StepInterval > TimeSpan.Zero)
            {
                await Task.Delay(_settings.StepInterval, cancellationToken);
            }
        }

        if (to < from)
        {
            var retiring = Enumerable.Range(to, from - to).Select(subtask => SubtaskOf(vertex, subtask)).ToList();
            cancellationToken.ThrowIfCancellationRequested();
            _execution.Retire(retiring);
            await OnTasksOfAsync(upstream, task => task.RetireOutputsAsync(vertex.Id, to));
            await WaitUntilAsync(() => _execution.HaveFinished(retiring), $"subtasks {to} to {from - 1} of {vertex.Name} to finish once their input ended", cancellationToken);
        }
    }

    /// <summary>
    /// New subtasks of a vertex with broadcast input get a copy of subtask 0's broadcast state, taken while that input is
    /// quiet: its sources pause once everything they sent has been processed, connect to the new subtasks, and read on once
    /// the copy is in. The new subtasks' broadcast channels thus begin exactly where the copy ends.
    /// </summary>
    private async Task ConnectBroadcastAsync(JobVertex vertex, int from, IReadOnlyList<int> broadcasters, CancellationToken cancellationToken)
    {
        var paused = broadcasters.SelectMany(_execution.RunningTasksOf).ToList();
        try
        {
            await Task.WhenAll(paused.Select(task => _execution.TaskGrain(task).PauseSourceAsync()));
            cancellationToken.ThrowIfCancellationRequested();
            await OnTasksOfAsync(broadcasters, task => task.ConnectOutputsAsync(vertex.Id, vertex.Parallelism), includeFinished: true);
            var state = await _execution.TaskGrain(SubtaskOf(vertex, 0)).ExportBroadcastStateAsync();
            var added = Enumerable.Range(from, vertex.Parallelism - from).Select(subtask => _execution.TaskGrain(SubtaskOf(vertex, subtask)));
            await Task.WhenAll(added.Select(task => task.ImportBroadcastStateAsync(state)));
            BytesMoved += (long)state.Length * (vertex.Parallelism - from);
        }
        finally
        {
            // Not awaited: a failure ends the attempt anyway, and a source of a live one reads on at once.
            paused.ForEach(task => _execution.TaskGrain(task).ResumeSourceAsync().Ignore());
        }
    }

    /// <summary>
    /// A source changes parallelism: new subtasks start without splits; then splits move, one at a time, until every
    /// reader below the new parallelism has its share; subtasks above it, left without splits, end their
    /// input and finish.
    /// </summary>
    private async Task RescaleSourceAsync(int from, RescaleStage stage, CancellationToken cancellationToken)
    {
        var vertex = stage.Graph.Vertex(stage.VertexId);
        int to = vertex.Parallelism;
        _logger.LogInformation("Job {JobId}: rescaling source {Vertex} live from {From} to {To}", _jobId, vertex.Name, from, to);
        var added = Enumerable.Range(from, Math.Max(0, to - from)).ToHashSet();
        var retiring = Enumerable.Range(to, Math.Max(0, from - to)).Select(subtask => SubtaskOf(vertex, subtask)).ToList();
        if (to > from)
        {
            await StartAddedAsync(vertex, from, stage, cancellationToken);
        }
        else
        {
            // Before they give their last split away: once they have none, they finish.
            _execution.Retire(retiring);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var readers = _execution.RunningTasksOf(vertex.Id);
        var owned = (await Task.WhenAll(readers.Select(async task => (task.Subtask, Splits: await _execution.TaskGrain(task).SplitsAsync()))))
            .ToDictionary(reader => reader.Subtask, reader => reader.Splits);

        // One split per step, as key groups move in small steps: a split pauses only while it moves itself.
        foreach (var move in SplitMove.Rebalance(owned, to))
        {
            foreach (string split in move.SplitIds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long started = Stopwatch.GetTimestamp();
                var handoff = await _execution.TaskGrain(SubtaskOf(vertex, move.From)).TakeSplitsAsync([split]);
                cancellationToken.ThrowIfCancellationRequested();
                await _execution.TaskGrain(SubtaskOf(vertex, move.To)).AddSplitsAsync(handoff);
                added.Remove(move.To);
                SplitsMoved += handoff.Splits.Count;
                BytesMoved += handoff.Bytes;
                var paused = Stopwatch.GetElapsedTime(started);
                LongestPause = paused > LongestPause ? paused : LongestPause;
                if (_settings.StepInterval > TimeSpan.Zero)
                {
                    await Task.Delay(_settings.StepInterval, cancellationToken);
                }
            }
        }

        // A new subtask that got no split (more readers than splits) starts with nothing to read, and finishes.
        await Task.WhenAll(added.Select(subtask => _execution.TaskGrain(SubtaskOf(vertex, subtask)).AddSplitsAsync(new SplitHandoff(Array.Empty<byte[]>()))));
        if (retiring.Count > 0)
        {
            await Task.WhenAll(retiring.Select(task => _execution.TaskGrain(task).EndSourceAsync()));
            await WaitUntilAsync(() => _execution.HaveFinished(retiring), $"subtasks {to} to {from - 1} of {vertex.Name} to finish once their splits moved", cancellationToken);
        }
    }

    /// <summary>
    /// Starts the subtasks <paramref name="from"/> up of <paramref name="vertex"/>, after the vertices it sends to take
    /// input from them: consumers before producers, so that nothing is sent to a task that does not expect it.
    /// </summary>
    private async Task StartAddedAsync(JobVertex vertex, int from, RescaleStage stage, CancellationToken cancellationToken)
    {
        await OnTasksOfAsync(vertex.Outputs.Select(e => e.Target.Id).Distinct(), task => task.ConnectInputsAsync(vertex.Id, vertex.Parallelism));
        cancellationToken.ThrowIfCancellationRequested();
        await _execution.StartAddedAsync(_attempt, vertex, from, stage.Submission);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private TaskId SubtaskOf(JobVertex vertex, int subtask) => new(_jobId, _attempt, vertex.Id, subtask);

    private async Task MoveAsync(JobVertex vertex, RescaleStep step, IReadOnlyList<int> upstream, CancellationToken cancellationToken)
    {
        var owners = step.Moves.SelectMany(m => new[] { m.From, m.To }).Distinct()
            .Select(subtask => _execution.TaskGrain(SubtaskOf(vertex, subtask)));
        var waiter = _waiter = new StepWaiter(step);
        try
        {
            await Task.WhenAll(owners.Select(owner => owner.PrepareRescaleStepAsync(step)));
            cancellationToken.ThrowIfCancellationRequested();
            await OnTasksOfAsync(upstream, task => task.RerouteAsync(step));
            await waiter.Done.WaitAsync(_settings.StepTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"Rescale step {step.Id} of {vertex.Name} (key groups {step.Moves[0].KeyGroup} to {step.Moves[^1].KeyGroup}) did not complete within {_settings.StepTimeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            _waiter = null;
        }
    }

    private Task OnTasksOfAsync(IEnumerable<int> vertices, Func<ITaskGrain, Task> call, bool includeFinished = false)
        => Task.WhenAll(vertices.SelectMany(v => includeFinished ? _execution.TasksOf(v) : _execution.RunningTasksOf(v)).Select(task => call(_execution.TaskGrain(task))));

    private async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _settings.StepTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {_settings.StepTimeout.TotalSeconds:0.###} s for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>Completes once every pair of old and new owner of a step has reported its hand-off installed.</summary>
    private sealed class StepWaiter(RescaleStep step)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _pending = step.Moves.Select(m => (m.From, m.To)).Distinct().Count();

        public Task Done => _done.Task;

        public void OnInstalled(KeyGroupsInstalled installed)
        {
            if (installed.Step == step.Id && --_pending == 0)
            {
                _done.TrySetResult();
            }
        }
    }
}

/// <summary>How live rescales run: key groups per step (Megaphone's bin size), the pause between steps, and how long a step may take.</summary>
internal sealed record RescaleSettings(int KeyGroupsPerStep, TimeSpan StepInterval, TimeSpan StepTimeout);
