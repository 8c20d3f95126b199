using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Graph;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Placement;

namespace OrleansStream.Runtime.Rescaling;

/// <summary>
/// What a rescale will do: the job as it will be, the vertices that change, the slots it runs in, and how. Its
/// stages are the job after each changed vertex in turn, in the graph's order: a vertex's new subtasks are built
/// from the stage that changed it, so that they connect to the subtasks their neighbours have at that moment.
/// </summary>
internal sealed record RescalePlan(
    JobSubmission Submission,
    JobGraph Graph,
    IReadOnlyList<VertexRescale> Changes,
    IReadOnlyList<SiloAddress> Slots,
    RescaleMode Mode,
    string? WhyNotLive,
    IReadOnlyList<RescaleStage> Stages);

/// <summary>The job as it runs once one more vertex, <see cref="VertexId"/>, has its new parallelism.</summary>
internal sealed record RescaleStage(int VertexId, JobSubmission Submission, JobGraph Graph);

/// <summary>
/// Turns a rescale request into a plan: rebuilds the job's graph with the parallelism asked (so that every
/// silo builds the same), refuses what the job cannot take, finds slots for subtasks it adds, and decides
/// whether key groups can move live or the job must restart from a savepoint.
/// </summary>
internal sealed class RescalePlanner(JobGraphFactory graphs, ClusterSlots clusterSlots)
{
    /// <param name="jobId">The job.</param>
    /// <param name="submission">What the job runs now.</param>
    /// <param name="current">Its graph now.</param>
    /// <param name="slots">The slots the running attempt uses; empty for a job about to restart.</param>
    /// <param name="request">The rescale asked for.</param>
    /// <param name="restart">The job restarts anyway (an adaptive job after a failure): the plan is for a restart.</param>
    public async Task<RescalePlan> PlanAsync(string jobId, JobSubmission submission, JobGraph current, IReadOnlyList<SiloAddress> slots, RescaleRequest request, bool restart = false)
    {
        // The parallelism asked per vertex, in the graph's order.
        var targets = new SortedDictionary<int, int>();
        if (request.Parallelism is { } parallelism)
        {
            // Every vertex that follows the job's default, as far as its operators go; one whose parallelism the job fixed
            // keeps it, as in Flink.
            if (parallelism < 1 || parallelism > current.MaxParallelism)
            {
                throw new RescaleRefusedException($"Job '{jobId}' can run at parallelism 1 to {current.MaxParallelism} (its max parallelism); {parallelism} was asked.");
            }

            foreach (var vertex in current.Vertices.Where(v => v.Operators.All(o => o.Parallelism is null && o.RequiredParallelism is null)))
            {
                targets[vertex.Id] = Math.Min(parallelism, MaxOf(current, vertex));
            }
        }

        foreach (var (name, vertexParallelism) in request.Vertices)
        {
            var vertex = Resolve(current, name);
            Check(current, vertex, vertexParallelism);
            targets[vertex.Id] = vertexParallelism;
        }

        var asked = new Dictionary<string, int>(submission.VertexParallelism, StringComparer.Ordinal);
        var stages = new List<RescaleStage>();
        var changing = targets.Where(t => current.Vertex(t.Key).Parallelism != t.Value).ToList();
        foreach (var (vertexId, vertexParallelism) in changing)
        {
            asked[NameOf(current, current.Vertex(vertexId))] = vertexParallelism;
            var stage = submission with { VertexParallelism = new Dictionary<string, int>(asked, StringComparer.Ordinal) };
            if (vertexId == changing[^1].Key && request.Parallelism is { } jobWide)
            {
                // The job's own parallelism is the new one from now on (what an adaptive job runs at); the vertices that
                // follow it have it already.
                stage = stage with { Parallelism = jobWide };
            }

            stages.Add(new RescaleStage(vertexId, stage, await BuildAsync(jobId, stage)));
        }

        var rescaled = stages.Count == 0 ? submission with { Parallelism = request.Parallelism ?? submission.Parallelism } : stages[^1].Submission;
        var graph = stages.Count == 0 ? current : stages[^1].Graph;
        var changes = current.Vertices.Zip(graph.Vertices)
            .Where(pair => pair.First.Parallelism != pair.Second.Parallelism)
            .Select(pair => new VertexRescale(pair.Second.Name, pair.First.Parallelism, pair.Second.Parallelism))
            .ToList();
        if (changes.Count == 0 && !restart)
        {
            return new RescalePlan(rescaled, graph, changes, slots, RescaleMode.Live, null, stages);
        }

        string? whyNotLive = restart
            ? "the job restarts"
            : stages.Select((stage, i) => WhyNotLive(i == 0 ? current : stages[i - 1].Graph, stage.Graph)).FirstOrDefault(why => why is not null);

        // Live, each vertex is at its old or its new parallelism at every stage, so no stage needs more slots than the
        // larger end: the slots the job holds, or the new ones. A restart needs only the new ones.
        int required = whyNotLive is null ? stages.Max(stage => stage.Graph.RequiredSlots) : graph.RequiredSlots;

        // A restart at the same parallelism (moving off a leaving silo) is a plan too.
        var rescaledSlots = SlotAssignment.Extend(jobId, slots, required, await clusterSlots.QueryAsync(jobId));
        return new RescalePlan(rescaled, graph, changes, rescaledSlots, whyNotLive is null ? RescaleMode.Live : RescaleMode.Restart, whyNotLive, stages);
    }

    private async Task<JobGraph> BuildAsync(string jobId, JobSubmission submission)
    {
        try
        {
            return await graphs.BuildAsync(jobId, submission);
        }
        catch (JobSubmissionException ex)
        {
            throw new RescaleRefusedException($"Job '{jobId}' cannot be rescaled so: {ex.Message}", ex.OperatorName);
        }
    }

    /// <summary>
    /// Why key groups and source splits cannot simply move between the subtasks of the changed vertices, or null when
    /// they can: the graph must keep its shape, and every changed vertex must be a source, read only keyed (hash)
    /// inputs, or read only round robin, so that all of its state that depends on the input is keyed state or splits.
    /// </summary>
    public static string? WhyNotLive(JobGraph from, JobGraph to)
    {
        bool sameShape = from.Vertices.Count == to.Vertices.Count
            && from.Vertices.Zip(to.Vertices).All(pair => pair.First.Operators.Select(o => o.Uid).SequenceEqual(pair.Second.Operators.Select(o => o.Uid)))
            && from.Edges.Count == to.Edges.Count
            && from.Edges.Zip(to.Edges).All(pair => pair.First.Source.Id == pair.Second.Source.Id && pair.First.Target.Id == pair.Second.Target.Id
                && pair.First.Partitioner == pair.Second.Partitioner && pair.First.TargetInput == pair.Second.TargetInput);
        if (!sameShape)
        {
            return "the new parallelism changes how operators chain or connect";
        }

        if (to.Vertices.Select(v => v.SlotSharingGroup).Distinct().Count() > 1)
        {
            // A group's slots start after the slots of the groups before it: growing one would move the others' slots.
            return "the job has several slot sharing groups";
        }

        return to.Vertices.Where(v => from.Vertex(v.Id).Parallelism != v.Parallelism).Select(WhyNotLive).FirstOrDefault(why => why is not null);
    }

    /// <summary>
    /// Why <paramref name="vertex"/> cannot change parallelism live, or null when it can: it is a source (its splits move
    /// between readers), or it reads every input by key (its key groups move), or every input round robin. A vertex that
    /// reads round robin holds no state of its input (the operators that snapshot outside keyed state are sources, sinks,
    /// watermark assigners and async I/O, which finish what they hold), so its new subtasks just take their share.
    /// Broadcast input is state that every subtask holds whole: a new one is given a copy, for a keyed vertex whose
    /// broadcast input comes from a source.
    /// </summary>
    public static string? WhyNotLive(JobVertex vertex)
    {
        if (KeyGroupMove.IsKeyed(vertex))
        {
            // With broadcast input, new subtasks get a copy of the broadcast state while its producers pause, which a
            // source can do between reads.
            return vertex.Inputs.FirstOrDefault(e => e.Partitioner == PartitionerKind.Broadcast && !e.Source.IsSource) is { } broadcast
                ? $"'{vertex.Name}' reads '{broadcast.Source.Name}' by Broadcast, which is no source that could pause while the broadcast state is copied"
                : null;
        }

        if (vertex.Inputs.FirstOrDefault(e => e.Partitioner is not (PartitionerKind.Hash or PartitionerKind.Rebalance)) is { } input)
        {
            return $"'{vertex.Name}' reads '{input.Source.Name}' by {input.Partitioner}, not by key or round robin";
        }

        return vertex.Inputs.Select(e => e.Partitioner).Distinct().Count() > 1 ? $"'{vertex.Name}' reads some inputs by key and others round robin" : null;
    }

    private static JobVertex Resolve(JobGraph graph, string name)
    {
        var matches = graph.Vertices.Where(v => v.Name == name).ToList();
        if (matches.Count == 0)
        {
            matches = graph.Vertices.Where(v => v.Operators.Any(o => o.Name == name)).ToList();
        }

        return matches switch
        {
            [var vertex] => vertex,
            [] => throw new RescaleRefusedException(
                $"The job has no vertex or operator named '{name}'; its vertices: {string.Join(", ", graph.Vertices.Select(v => $"'{v.Head.Name}'"))}.", name),
            _ => throw new RescaleRefusedException(
                $"Operators named '{name}' are in {matches.Count} vertices ({string.Join(", ", matches.Select(v => $"'{v.Name}'"))}); name the vertex by its full name.", name),
        };
    }

    /// <summary>How the submission names <paramref name="vertex"/>: its head operator's name when that is unique in the job, else its full name.</summary>
    private static string NameOf(JobGraph graph, JobVertex vertex)
        => graph.Vertices.SelectMany(v => v.Operators).Count(o => o.Name == vertex.Head.Name) == 1 ? vertex.Head.Name : vertex.Name;

    private static int MaxOf(JobGraph graph, JobVertex vertex) => vertex.Operators.Select(o => o.MaxParallelism ?? graph.MaxParallelism).Min();

    private static void Check(JobGraph graph, JobVertex vertex, int parallelism)
    {
        int max = MaxOf(graph, vertex);
        if (vertex.Operators.FirstOrDefault(o => o.RequiredParallelism is not null) is { } pinned && parallelism != pinned.RequiredParallelism)
        {
            throw new RescaleRefusedException($"Vertex '{vertex.Name}' runs at parallelism {pinned.RequiredParallelism} only ('{pinned.Name}'); it cannot be rescaled to {parallelism}.", vertex.Head.Name);
        }

        if (parallelism < 1 || parallelism > max)
        {
            throw new RescaleRefusedException($"Vertex '{vertex.Name}' can run at parallelism 1 to {max} (its max parallelism); {parallelism} was asked.", vertex.Head.Name);
        }
    }
}
