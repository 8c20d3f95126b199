using OrleansStream.Contracts.Cluster;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Graph;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Tasks;

using OrleansStream.Runtime.Idling;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// The subtasks of a job's running attempt (Flink's ExecutionGraph, one attempt at a time): where each
/// runs, what each has reported, which have finished; it deploys an attempt's task grains and releases
/// them, and is how the checkpoint coordinator reaches them.
/// </summary>
internal sealed class JobExecution(string jobId, JobGraph graph, IGrainFactory grains) : ICheckpointParticipants
{
    /// <summary>How long releasing an attempt waits for a vertex's tasks to stop before it releases the next vertex's anyway.</summary>
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(2);

    private JobGraph? _graph = graph;

    /// <summary>Every subtask of the attempt: null while it runs, its last report once it finished.</summary>
    private readonly Dictionary<TaskId, TaskReport?> _tasks = new();
    private readonly Dictionary<TaskId, TaskReport> _progress = new();

    /// <summary>Subtasks a live rescale scaled away: they finish, and stay until a checkpoint holds their final state.</summary>
    private readonly HashSet<TaskId> _retired = new();

    /// <summary>The last reports of retired subtasks already released: their counts still belong to the attempt.</summary>
    private readonly List<TaskReport> _released = new();
    private IReadOnlyList<SiloAddress> _slots = Array.Empty<SiloAddress>();

    public IReadOnlyCollection<TaskId> Tasks => _tasks.Keys;

    public bool AllFinished => _tasks.Count > 0 && _tasks.Values.All(report => report is not null);

    /// <summary>What each running source subtask had read as it last reported; null while one has not reported a mark yet.</summary>
    public List<SourceInputMark>? SourceInputMarks()
    {
        var marks = new List<SourceInputMark>();
        foreach (var task in _tasks.Where(t => t.Value is null && !_retired.Contains(t.Key) && Graph.Vertex(t.Key.VertexId).IsSource).Select(t => t.Key))
        {
            if (_progress.GetValueOrDefault(task)?.InputMark is not { } mark)
            {
                return null;
            }

            marks.Add(new SourceInputMark(task.VertexId, task.Subtask, mark));
        }

        return marks;
    }

    /// <summary>The records the running source subtasks have read, as they last reported: it grows as long as they have input.</summary>
    public long SourceRecordsRead()
        => _progress.Where(p => Graph.Vertex(p.Key.VertexId).IsSource).Sum(p => p.Value.Operators.Count > 0 ? p.Value.Operators[0].RecordsOut : 0);

    /// <summary>The silo of each task slot the attempt uses.</summary>
    public IReadOnlyList<SiloAddress> Slots => _slots;

    /// <summary>True when <paramref name="task"/> belongs to the deployed attempt.</summary>
    public bool Contains(TaskId task) => _tasks.ContainsKey(task);

    /// <summary>
    /// Starts every subtask of <paramref name="attempt"/> in its slot, restoring from <paramref name="from"/>:
    /// consumers before producers, so that no record is sent to a task that is not ready.
    /// </summary>
    public async Task DeployAsync(int attempt, JobGraph graph, IReadOnlyList<SiloAddress> slots, JobSubmission submission, CheckpointMetadata? from)
    {
        _graph = graph;
        _slots = slots;
        Clear();
        foreach (var vertex in graph.Vertices)
        {
            for (int subtask = 0; subtask < vertex.Parallelism; subtask++)
            {
                _tasks[new TaskId(jobId, attempt, vertex.Id, subtask)] = null;
            }
        }

        foreach (var vertex in graph.Vertices.Reverse())
        {
            await Task.WhenAll(Enumerable.Range(0, vertex.Parallelism).Select(subtask =>
            {
                var restore = from is null ? null : StateAssignment.For(from, graph, vertex, subtask);
                return StartAsync(new TaskDeployment(new TaskId(jobId, attempt, vertex.Id, subtask), submission, restore), slots[graph.SlotOf(vertex, subtask)]);
            }));
        }
    }

    /// <summary>
    /// Takes over <paramref name="attempt"/>, which a job grain on another silo deployed and handed over in good order:
    /// its subtasks run in <paramref name="slots"/>; those that have finished say so again within their lease interval.
    /// </summary>
    public void Adopt(int attempt, IReadOnlyList<SiloAddress> slots)
    {
        var graph = Graph;
        _slots = slots;
        Clear();
        foreach (var vertex in graph.Vertices)
        {
            for (int subtask = 0; subtask < vertex.Parallelism; subtask++)
            {
                _tasks[new TaskId(jobId, attempt, vertex.Id, subtask)] = null;
            }
        }
    }

    /// <summary>Forgets the tasks of the attempt that ended, and what they reported.</summary>
    public void Clear()
    {
        _tasks.Clear();
        _progress.Clear();
        _retired.Clear();
        _released.Clear();
    }

    /// <summary>The graph the attempt runs from now on, its subtasks in <paramref name="slots"/>: a live rescale changed a vertex's parallelism.</summary>
    public void Rescale(JobGraph graph, IReadOnlyList<SiloAddress> slots)
    {
        _graph = graph;
        _slots = slots;
    }

    /// <summary>Every subtask of the attempt, running or finished, in task slot <paramref name="slot"/>.</summary>
    public IReadOnlyList<TaskId> TasksInSlot(int slot)
        => _tasks.Keys.Where(task => Graph.SlotOf(Graph.Vertex(task.VertexId), task.Subtask) == slot).ToList();

    /// <summary>Task slot <paramref name="slot"/> is on <paramref name="silo"/> now: a live drain moved its subtasks there.</summary>
    public void MoveSlot(int slot, SiloAddress silo)
    {
        var slots = _slots.ToArray();
        slots[slot] = silo;
        _slots = slots;
    }

    /// <summary>The running subtasks of vertex <paramref name="vertexId"/>.</summary>
    public IReadOnlyList<TaskId> RunningTasksOf(int vertexId) => _tasks.Where(t => t.Key.VertexId == vertexId && t.Value is null).Select(t => t.Key).ToList();

    /// <summary>The subtasks of vertex <paramref name="vertexId"/>, running or finished, without those a rescale retired.</summary>
    public IReadOnlyList<TaskId> TasksOf(int vertexId) => _tasks.Keys.Where(t => t.VertexId == vertexId && !_retired.Contains(t)).ToList();

    /// <summary>
    /// Starts subtasks <paramref name="from"/> to the vertex's parallelism of the running attempt (a live scale-up), in the
    /// slots of the graph the attempt now runs; they restore nothing: their key groups are handed to them.
    /// </summary>
    public async Task StartAddedAsync(int attempt, JobVertex vertex, int from, JobSubmission submission)
    {
        var added = Enumerable.Range(from, vertex.Parallelism - from).Select(subtask => new TaskId(jobId, attempt, vertex.Id, subtask)).ToList();
        foreach (var task in added)
        {
            _tasks[task] = null;
        }

        await Task.WhenAll(added.Select(task => StartAsync(new TaskDeployment(task, submission, JoinsRunningJob: true), _slots[Graph.SlotOf(vertex, task.Subtask)])));
    }

    /// <summary>
    /// Subtasks a live scale-down ends: they finish, then stay until a checkpoint has their final state (their sinks
    /// commit with it). The rescale holds checkpoints off until they have finished, so the next one that completes does.
    /// </summary>
    public void Retire(IEnumerable<TaskId> tasks) => _retired.UnionWith(tasks);

    /// <summary>
    /// True when a live rescale of this attempt retired a subtask of vertex <paramref name="vertexId"/> at index
    /// <paramref name="from"/> or above: its channels have ended downstream, so the index cannot run again in this attempt.
    /// </summary>
    public bool RetiredAnyFrom(int vertexId, int from)
        => _retired.Concat(_released.Select(r => r.Task)).Any(task => task.VertexId == vertexId && task.Subtask >= from);

    /// <summary>True when every subtask in <paramref name="tasks"/> has finished.</summary>
    public bool HaveFinished(IEnumerable<TaskId> tasks) => tasks.All(task => _tasks.GetValueOrDefault(task) is not null);

    /// <summary>True while subtasks a live rescale retired wait for a checkpoint with their final state.</summary>
    public bool HasRetired => _retired.Count > 0;

    /// <summary>Retired subtasks that have finished: a checkpoint that completes now holds their final state.</summary>
    public IReadOnlyList<TaskId> FinishedRetired() => _retired.Where(task => _tasks.GetValueOrDefault(task) is not null).ToList();

    /// <summary>Lets retired subtasks go once a checkpoint holds their final state and their sinks committed it.</summary>
    public void Release(IEnumerable<TaskId> retired)
    {
        foreach (var task in retired.Where(_retired.Remove))
        {
            _released.Add(_tasks[task]!);
            _tasks.Remove(task);
            TaskGrain(task).ReleaseAsync().Ignore();
        }

        if (_retired.Count == 0 && _slots.Count > Graph.RequiredSlots)
        {
            // Nothing runs in the slots above the graph's any more.
            _slots = _slots.Take(Graph.RequiredSlots).ToList();
        }
    }

    /// <summary>
    /// Lets go of the graph once the job has ended: calls still under way (a trigger to a lost silo) may hold
    /// this object, and the graph holds the job's code, which an uploaded job's load context must be free of.
    /// </summary>
    public void Unload() => _graph = null;

    /// <summary>
    /// Releases every task of <paramref name="attempt"/> without making the caller wait: a task on a lost silo may take
    /// long to answer. Those this execution knows (with subtasks a live rescale added), and those the graph says, for an
    /// attempt a former activation deployed.
    /// </summary>
    public void Release(int attempt)
    {
        var graph = Graph;
        var tasks = graph.Vertices
            .SelectMany(vertex => Enumerable.Range(0, vertex.Parallelism).Select(subtask => new TaskId(jobId, attempt, vertex.Id, subtask)))
            .Concat(_tasks.Keys.Where(task => task.Attempt == attempt))
            .Distinct()
            .ToLookup(task => task.VertexId);
        ReleaseInOrderAsync(graph.Vertices.Select(vertex => tasks[vertex.Id].ToList())).Ignore();
    }

    /// <summary>
    /// Releases the tasks of one vertex after another, in the graph's order, each once the vertices before it have
    /// stopped (or <see cref="ReleaseWait"/> has passed): a producer that still runs would otherwise send to a consumer
    /// already gone, and fail on the new, empty activation there ("received data but is not deployed") while its own
    /// release is on its way, which is noise in the log of every cancel.
    /// </summary>
    private async Task ReleaseInOrderAsync(IEnumerable<List<TaskId>> vertices)
    {
        foreach (var tasks in vertices)
        {
            var released = Task.WhenAll(tasks.Select(task => TaskGrain(task).ReleaseAsync()));
            released.Ignore();
            await Task.WhenAny(released, Task.Delay(ReleaseWait));
        }
    }

    /// <summary>A running task's counts, rates and watermark.</summary>
    public void OnProgress(TaskReport report)
    {
        if (_tasks.TryGetValue(report.Task, out var finished) && finished is null)
        {
            _progress[report.Task] = report;
        }
    }

    /// <summary>A task finished or failed: its last report stands for it from now on.</summary>
    public void OnEnded(TaskReport report) => _tasks[report.Task] = report;

    public string VertexName(TaskId task) => Graph.Vertex(task.VertexId).Name;

    /// <summary>Per vertex: parallelism, slots, finished subtasks, per operator records and rates, and the low watermark.</summary>
    public IReadOnlyList<VertexStatus> VertexStatuses() => Graph.Vertices.Select(v =>
    {
        var finished = _tasks.Where(t => t.Key.VertexId == v.Id && t.Value is not null).Select(t => t.Value!)
            .Concat(_released.Where(r => r.Task.VertexId == v.Id))
            .ToList();
        var running = _progress.Where(t => t.Key.VertexId == v.Id && _tasks.GetValueOrDefault(t.Key) is null).Select(t => t.Value).ToList();
        var reports = finished.Concat(running).ToList();
        var operators = v.Operators
            .Select((o, i) => new OperatorMetrics(
                o.Name,
                reports.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsIn ?? 0),
                reports.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsOut ?? 0),
                running.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsInPerSecond ?? 0),
                running.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsOutPerSecond ?? 0)))
            .ToList();
        var slots = Enumerable.Range(0, v.Parallelism).Select(i => _slots.Count > 0 ? _slots[Graph.SlotOf(v, i)].ToString() : "?").ToList();
        return new VertexStatus(v.Id, v.Name, v.Parallelism, slots, finished.Count(r => !IsRetired(r.Task)), operators, LowWatermark(v, reports.Where(r => !IsRetired(r.Task)).ToList()),
            TimeOf(running), BacklogOf(running));
    }).ToList();

    bool ICheckpointParticipants.IsTriggeredDirectly(TaskId task) => _tasks[task] is not null || Graph.Vertex(task.VertexId).IsSource;

    string ICheckpointParticipants.Describe(TaskId task) => $"subtask {task.Subtask} of {VertexName(task)}";

    Task<bool> ICheckpointParticipants.TriggerAsync(TaskId task, CheckpointBarrier barrier) => TaskGrain(task).TriggerCheckpointAsync(barrier);

    Task ICheckpointParticipants.NotifyCompleteAsync(TaskId task, long checkpointId) => TaskGrain(task).NotifyCheckpointCompleteAsync(checkpointId);

    void ICheckpointParticipants.Abort(TaskId task, long checkpointId) => TaskGrain(task).AbortCheckpointAsync(checkpointId).Ignore();

    /// <summary>A vertex's watermark is its slowest subtask's (Flink's low watermark); unknown until every subtask has reported one.</summary>
    private static long? LowWatermark(JobVertex vertex, IReadOnlyList<TaskReport> reports)
    {
        var watermarks = reports.Select(r => r.Watermark).ToList();
        return watermarks.Count == vertex.Parallelism && watermarks.All(w => w is not null) ? watermarks.Min() : null;
    }

    /// <summary>
    /// Where a vertex's running subtasks spent the last second, as Flink's vertex view shows it: busy and idle time
    /// averaged over the subtasks, backpressured time of the most backpressured one. Unknown until one has reported.
    /// </summary>
    private static TaskTimeMetrics? TimeOf(IReadOnlyList<TaskReport> running)
    {
        var times = running.Select(r => r.Time).OfType<TaskTimeMetrics>().ToList();
        return times.Count == 0
            ? null
            : new TaskTimeMetrics(times.Average(t => t.BusyTimeMsPerSecond), times.Max(t => t.BackPressuredTimeMsPerSecond), times.Average(t => t.IdleTimeMsPerSecond));
    }

    /// <summary>A source vertex's backlog: its running subtasks' summed; a sum is unknown when a subtask cannot tell its part.</summary>
    private static SourceBacklogMetrics? BacklogOf(IReadOnlyList<TaskReport> running)
    {
        var backlogs = running.Select(r => r.Backlog).ToList();
        if (backlogs.Count == 0 || backlogs.Any(b => b is null))
        {
            return null;
        }

        static long? Sum(IEnumerable<long?> parts) => parts.Any(p => p is null) ? null : parts.Sum();
        return new SourceBacklogMetrics(Sum(backlogs.Select(b => b!.PendingRecords)), Sum(backlogs.Select(b => b!.PendingBytes)), backlogs.Sum(b => b!.PendingSplits));
    }

    private bool IsRetired(TaskId task) => _retired.Contains(task) || _released.Any(r => r.Task == task);

    private async Task StartAsync(TaskDeployment deployment, SiloAddress slot)
    {
        Task start;
        using (PlacementHint.On(slot))
        {
            start = TaskGrain(deployment.Task).StartAsync(deployment);
        }

        await start;
    }

    /// <summary>The graph the running attempt runs: during a live rescale, the stage it has reached.</summary>
    public JobGraph Graph => _graph ?? throw new InvalidOperationException($"Job '{jobId}' has ended: its graph was let go.");

    public ITaskGrain TaskGrain(TaskId task) => grains.GetGrain<ITaskGrain>(task.ToString());
}
