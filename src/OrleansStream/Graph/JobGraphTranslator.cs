namespace OrleansStream.Graph;

/// <summary>
/// Turns the recorded transformations into a <see cref="JobGraph"/>: resolves parallelism and
/// partitioners, chains one-to-one steps of equal parallelism into one vertex, and validates.
/// </summary>
public static class JobGraphTranslator
{
    /// <remarks>
    /// <c>vertexParallelism</c> replaces the parallelism the job set, per vertex: the vertex that holds an operator
    /// of that name (or is named so), with every operator chained in it. It is how a running job is rescaled.
    /// </remarks>
    public static JobGraph Translate(
        string jobName, IReadOnlyList<Transformation> transformations, int defaultParallelism, int maxParallelism, TimeSpan autoWatermarkInterval,
        IReadOnlyDictionary<string, int>? vertexParallelism = null)
    {
        var graph = Translate(jobName, transformations, defaultParallelism, maxParallelism, autoWatermarkInterval, new Dictionary<Transformation, int>());
        if (vertexParallelism is not { Count: > 0 })
        {
            return graph;
        }

        var forced = new Dictionary<Transformation, int>();
        foreach (var (name, parallelism) in vertexParallelism)
        {
            var vertex = graph.FindVertex(name) ?? throw new JobGraphException(
                $"No vertex is named '{name}'; the job's vertices: {string.Join(", ", graph.Vertices.Select(v => $"'{v.Head.Name}'"))}.");
            foreach (var node in vertex.Operators)
            {
                forced[node] = parallelism;
            }
        }

        return Translate(jobName, transformations, defaultParallelism, maxParallelism, autoWatermarkInterval, forced);
    }

    private static JobGraph Translate(
        string jobName, IReadOnlyList<Transformation> transformations, int defaultParallelism, int maxParallelism, TimeSpan autoWatermarkInterval,
        IReadOnlyDictionary<Transformation, int> forced)
    {
        if (maxParallelism < 1 || maxParallelism > KeyGroups.KeyGroupRangeAssignment.UpperBoundMaxParallelism)
        {
            throw new JobGraphException($"Max parallelism {maxParallelism} is outside [1, {KeyGroups.KeyGroupRangeAssignment.UpperBoundMaxParallelism}].");
        }

        if (defaultParallelism < 1 || defaultParallelism > maxParallelism)
        {
            throw new JobGraphException($"Default parallelism {defaultParallelism} is outside [1, {maxParallelism}] (the max parallelism).");
        }

        var reachable = ReachableFromSinks(transformations);
        var physical = transformations.Where(t => !t.IsVirtual && reachable.Contains(t)).OrderBy(t => t.Id).ToList();
        if (physical.GroupBy(t => t.Uid).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new JobGraphException(clash.Last().Name, $"has uid '{clash.Key}', which operator '{clash.First().Name}' already uses; uids identify state and must be unique.");
        }

        var parallelism = new Dictionary<Transformation, int>();
        var vertexOf = new Dictionary<Transformation, JobVertex>();
        var vertices = new List<JobVertex>();
        var pending = new List<(ResolvedInput From, Transformation Downstream, int LogicalInput, PartitionerKind Partitioner)>();
        var sideOutputTypes = new Dictionary<(Transformation Operator, string Tag), (Type Type, Transformation Reader)>();

        foreach (var node in physical)
        {
            int p = forced.TryGetValue(node, out int asked)
                ? ForcedParallelism(node, asked, maxParallelism)
                : node.ParallelismFollowsInput && node.Parallelism is null
                    ? parallelism[ResolveInputs(node.Inputs[0]).Single().Upstream]
                    : ResolveParallelism(node, defaultParallelism, maxParallelism);
            parallelism[node] = p;

            if (node.IsSource)
            {
                vertexOf[node] = AddVertex(vertices, node, p);
                continue;
            }

            if (node.Inputs.Count is < 1 or > 2)
            {
                throw new JobGraphException(node.Name, $"has {node.Inputs.Count} inputs; operators have one or two.");
            }

            var inputs = new List<(ResolvedInput From, int LogicalInput, PartitionerKind Partitioner)>();
            for (int logical = 0; logical < node.Inputs.Count; logical++)
            {
                foreach (var from in ResolveInputs(node.Inputs[logical]))
                {
                    CheckSideOutputType(node, from, sideOutputTypes);
                    inputs.Add((from, logical, PartitionerOf(node, logical, from, parallelism[from.Upstream], p)));
                }
            }

            if (inputs is [{ Partitioner: PartitionerKind.Forward } only] && node.Inputs.Count == 1
                && !node.StartsNewChain && node.SlotSharingGroup == only.From.Upstream.SlotSharingGroup)
            {
                var vertex = vertexOf[only.From.Upstream];
                vertex.Chain(node);
                vertexOf[node] = vertex;
                continue;
            }

            vertexOf[node] = AddVertex(vertices, node, p);
            pending.AddRange(inputs.Select(input => (input.From, node, input.LogicalInput, input.Partitioner)));
        }

        if (!physical.Any(t => t.IsSink))
        {
            throw new JobGraphException("The job has no sink: every stream that should run must end in SinkTo(...).");
        }

        var edges = new List<JobEdge>();
        foreach (var (from, downstream, logicalInput, partitioner) in pending)
        {
            var target = vertexOf[downstream];

            // Each edge into a task is a channel group of its own, even when several feed one logical input (a union).
            var edge = new JobEdge(edges.Count, vertexOf[from.Upstream], from.Upstream, target, target.Inputs.Count, logicalInput, partitioner, from.KeyHash, from.SideOutput);
            edges.Add(edge);
            edge.Source.AddOutput(edge);
            edge.Target.AddInput(edge);
        }

        return new JobGraph(jobName, maxParallelism, autoWatermarkInterval, vertices, edges);
    }

    private static JobVertex AddVertex(List<JobVertex> vertices, Transformation head, int parallelism)
    {
        var vertex = new JobVertex(vertices.Count, parallelism, head);
        vertices.Add(vertex);
        return vertex;
    }

    /// <summary>A parallelism set from outside the job (a rescale), checked against what the operator supports.</summary>
    private static int ForcedParallelism(Transformation node, int asked, int maxParallelism)
    {
        if (node.RequiredParallelism is { } required && asked != required)
        {
            throw new JobGraphException(node.Name, $"runs at parallelism {required} only; it cannot be rescaled to {asked}.");
        }

        return Checked(node, asked, maxParallelism);
    }

    private static int ResolveParallelism(Transformation node, int defaultParallelism, int maxParallelism)
    {
        int p;
        if (node.RequiredParallelism is { } required)
        {
            if (node.Parallelism is { } asked && asked != required)
            {
                throw new JobGraphException(node.Name, $"requires parallelism {required} but {asked} was set.");
            }

            p = required;
        }
        else if (node.Parallelism is { } asked)
        {
            p = asked;
        }
        else
        {
            p = node.MaxParallelism is { } cap ? Math.Min(cap, defaultParallelism) : defaultParallelism;
        }

        return Checked(node, p, maxParallelism);
    }

    private static int Checked(Transformation node, int p, int maxParallelism)
    {
        if (node.MaxParallelism is { } limit && p > limit)
        {
            throw new JobGraphException(node.Name, $"parallelism {p} exceeds what it supports ({limit}).");
        }

        if (p < 1 || p > maxParallelism)
        {
            throw new JobGraphException(node.Name, $"parallelism {p} is outside [1, {maxParallelism}] (the job's max parallelism).");
        }

        return p;
    }

    private static PartitionerKind PartitionerOf(Transformation node, int logicalInput, ResolvedInput from, int upstreamParallelism, int parallelism)
    {
        var partitioner = from.Partitioner ?? (upstreamParallelism == parallelism ? PartitionerKind.Forward : PartitionerKind.Rebalance);
        if (partitioner == PartitionerKind.Forward && upstreamParallelism != parallelism)
        {
            throw new JobGraphException(node.Name,
                $"forward partitioning needs equal parallelism, but '{from.Upstream.Name}' has {upstreamParallelism} and this operator has {parallelism}. Use Rebalance() or KeyBy() between them.");
        }

        if (node is IKeyedTransformation keyed && keyed.IsKeyedInput(logicalInput) && partitioner != PartitionerKind.Hash)
        {
            string which = node.Inputs.Count > 1 ? $"its input {logicalInput + 1} ('{from.Upstream.Name}')" : "its input";
            throw new JobGraphException(node.Name, $"is a keyed operator but {which} is not partitioned by key: call KeyBy() before it.");
        }

        return partitioner;
    }

    private static void CheckSideOutputType(Transformation node, ResolvedInput from, Dictionary<(Transformation Operator, string Tag), (Type Type, Transformation Reader)> seen)
    {
        if (from.SideOutput is not ISideOutputTransformation tagged)
        {
            return;
        }

        if (seen.TryGetValue((from.Upstream, tagged.TagId), out var first) && first.Type != tagged.RecordType)
        {
            throw new JobGraphException(node.Name,
                $"reads the side output '{tagged.TagId}' of '{from.Upstream.Name}' as {tagged.RecordType.Name}, but '{first.Reader.Name}' reads it as {first.Type.Name}; a tag has one record type.");
        }

        seen.TryAdd((from.Upstream, tagged.TagId), (tagged.RecordType, node));
    }

    /// <summary>
    /// Walks up through repartitioning, union and side output steps to the operators that produce the
    /// records: the repartitioning nearest the consumer decides the partitioner of each path; a side output
    /// step says which of the operator's outputs the records come from; a union yields one producer per input.
    /// </summary>
    internal static IEnumerable<ResolvedInput> ResolveInputs(Transformation input, PartitionerKind? partitioner = null, Delegate? keyHash = null, Transformation? sideOutput = null)
    {
        if (!input.IsVirtual)
        {
            yield return new ResolvedInput(input, partitioner, keyHash, sideOutput);
            yield break;
        }

        if (partitioner is null && input is IPartitioning partitioning)
        {
            partitioner = partitioning.Partitioner;
            keyHash = partitioning.KeyHashDelegate;
        }

        if (input is ISideOutputTransformation)
        {
            sideOutput = input;
        }

        foreach (var upstream in input.Inputs)
        {
            foreach (var resolved in ResolveInputs(upstream, partitioner, keyHash, sideOutput))
            {
                yield return resolved;
            }
        }
    }

    private static HashSet<Transformation> ReachableFromSinks(IReadOnlyList<Transformation> transformations)
    {
        var reachable = new HashSet<Transformation>();
        var stack = new Stack<Transformation>(transformations.Where(t => t.IsSink));
        while (stack.TryPop(out var node))
        {
            if (reachable.Add(node))
            {
                foreach (var input in node.Inputs)
                {
                    stack.Push(input);
                }
            }
        }

        return reachable;
    }
}

/// <summary>Implemented by repartitioning steps so the translator can read them without knowing the record type.</summary>
internal interface IPartitioning
{
    PartitionerKind Partitioner { get; }

    Delegate? KeyHashDelegate { get; }
}

/// <summary>Marks operators that keep per-key state and so need hash-partitioned inputs.</summary>
internal interface IKeyedTransformation
{
    /// <summary>True when input <paramref name="input"/> must be partitioned by key (a broadcast input of a keyed operator is not).</summary>
    bool IsKeyedInput(int input) => true;
}

/// <summary>An operator that produces the records of an input, and how they reach the consumer.</summary>
internal readonly record struct ResolvedInput(Transformation Upstream, PartitionerKind? Partitioner, Delegate? KeyHash, Transformation? SideOutput);
