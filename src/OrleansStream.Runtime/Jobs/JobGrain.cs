using Microsoft.Extensions.Logging;
using OrleansStream.Graph;
using OrleansStream.Runtime.Placement;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// Runs one job: builds and validates its graph, asks the live silos for their task slots, assigns
/// subtask i of every vertex to slot i, starts the task grains in their slots (consumers before
/// producers, so that no record is sent to a task that is not ready) and tracks them to the end.
/// </summary>
internal sealed class JobGrain(IClusterMembershipService membership, ILogger<JobGrain> logger) : Grain, IJobGrain
{
    private const int Attempt = 1;
    private JobSubmission? _submission;
    private JobGraph? _graph;
    private JobState _state = JobState.Created;
    private string? _failure;
    private IReadOnlyList<SiloAddress> _slots = Array.Empty<SiloAddress>();
    private readonly Dictionary<TaskId, TaskReport?> _tasks = new();
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _endedAt;

    private string JobId => this.GetPrimaryKeyString();

    public async Task<JobStatus> SubmitAsync(JobSubmission submission)
    {
        if (_state != JobState.Created)
        {
            throw new JobSubmissionException($"Job '{JobId}' was already submitted; it is {_state}.");
        }

        if (JobId.Contains('/'))
        {
            throw new JobSubmissionException($"Job id '{JobId}' must not contain '/'.");
        }

        var graph = JobGraphFactory.Build(submission);
        var slots = SlotAssignment.Assign(JobId, graph.RequiredSlots, await GetSiloSlotsAsync());

        _submission = submission;
        _graph = graph;
        _slots = slots;
        _state = JobState.Running;
        _startedAt = DateTimeOffset.UtcNow;

        // The job grain receives no calls while tasks run quietly; it must not be collected as idle.
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        foreach (var vertex in graph.Vertices)
        {
            for (int subtask = 0; subtask < vertex.Parallelism; subtask++)
            {
                _tasks[new TaskId(JobId, Attempt, vertex.Id, subtask)] = null;
            }
        }

        logger.LogInformation("Deploying job {JobId} ({JobName}) on {Slots} slots:\n{Plan}", JobId, submission.JobName, slots.Count, graph.Describe());
        try
        {
            foreach (var vertex in graph.Vertices.Reverse())
            {
                await Task.WhenAll(Enumerable.Range(0, vertex.Parallelism).Select(subtask => StartTaskAsync(vertex, subtask)));
            }
        }
        catch (Exception ex)
        {
            await FailAsync($"Deployment failed: {ex.GetBaseException().Message}");
        }

        return Status();
    }

    public Task<JobStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task CancelAsync()
    {
        if (_state == JobState.Running)
        {
            _state = JobState.Canceled;
            _endedAt = DateTimeOffset.UtcNow;
            await EndAsync();
            logger.LogInformation("Job {JobId} canceled", JobId);
        }
    }

    public async Task OnTaskFinishedAsync(TaskReport report)
    {
        if (_state != JobState.Running || !_tasks.ContainsKey(report.Task))
        {
            return;
        }

        _tasks[report.Task] = report;
        if (_tasks.Values.All(r => r is not null))
        {
            _state = JobState.Finished;
            _endedAt = DateTimeOffset.UtcNow;
            logger.LogInformation("Job {JobId} finished in {Elapsed}", JobId, _endedAt - _startedAt);
            await EndAsync();
        }
    }

    public async Task OnTaskFailedAsync(TaskReport report, string error)
    {
        if (_state != JobState.Running || !_tasks.ContainsKey(report.Task))
        {
            return;
        }

        _tasks[report.Task] = report;
        var vertex = _graph!.Vertex(report.Task.VertexId);
        await FailAsync($"{vertex.Name}: {error}");
    }

    private async Task StartTaskAsync(JobVertex vertex, int subtask)
    {
        var task = new TaskId(JobId, Attempt, vertex.Id, subtask);
        var grain = GrainFactory.GetGrain<ITaskGrain>(task.ToString());
        Task start;
        using (PlacementHint.On(_slots[_graph!.SlotOf(vertex, subtask)]))
        {
            start = grain.StartAsync(new TaskDeployment(task, _submission!));
        }

        await start;
    }

    private async Task FailAsync(string failure)
    {
        if (_state != JobState.Running)
        {
            return;
        }

        _state = JobState.Failed;
        _failure = failure;
        _endedAt = DateTimeOffset.UtcNow;
        logger.LogError("Job {JobId} failed: {Failure}", JobId, failure);
        await EndAsync();
    }

    /// <summary>Lets the tasks go and the job grain be collected like any idle grain (its status stays readable until then).</summary>
    private async Task EndAsync()
    {
        DelayDeactivation(TimeSpan.Zero);
        try
        {
            await Task.WhenAll(_tasks.Keys.Select(t => GrainFactory.GetGrain<ITaskGrain>(t.ToString()).ReleaseAsync()));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Some tasks of job {JobId} could not be released", JobId);
        }
    }

    private async Task<IReadOnlyList<SiloSlots>> GetSiloSlotsAsync()
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToList();
        var counts = await Task.WhenAll(silos.Select(async silo =>
        {
            Task<int> call;
            using (PlacementHint.On(silo))
            {
                call = GrainFactory.GetGrain<ISiloSlotsGrain>(silo.ToParsableString()).GetSlotCountAsync();
            }

            return new SiloSlots(silo, await call);
        }));
        return counts;
    }

    private JobStatus Status()
    {
        var vertices = _graph?.Vertices.Select(v =>
        {
            var reports = _tasks.Where(t => t.Key.VertexId == v.Id && t.Value is not null).Select(t => t.Value!).ToList();
            var operators = v.Operators
                .Select((o, i) => new OperatorMetrics(
                    o.Name,
                    reports.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsIn ?? 0),
                    reports.Sum(r => r.Operators.ElementAtOrDefault(i)?.RecordsOut ?? 0)))
                .ToList();
            var slots = Enumerable.Range(0, v.Parallelism).Select(i => _slots.Count > 0 ? _slots[_graph.SlotOf(v, i)].ToString() : "?").ToList();
            return new VertexStatus(v.Id, v.Name, v.Parallelism, slots, reports.Count, operators);
        }).ToList() ?? new List<VertexStatus>();
        return new JobStatus(JobId, _submission?.JobName ?? JobId, _state, Attempt, _failure, vertices, _startedAt, _endedAt);
    }
}
