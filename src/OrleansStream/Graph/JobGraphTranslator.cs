namespace OrleansStream.Graph;

/// <summary>
/// Turns the recorded transformations into a <see cref="JobGraph"/>: resolves parallelism and
/// partitioners, chains one-to-one steps of equal parallelism into one vertex, and validates.
/// </summary>
public static class JobGraphTranslator
{
    public static JobGraph Translate(string jobName, IReadOnlyList<Transformation> transformations, int defaultParallelism, int maxParallelism, TimeSpan autoWatermarkInterval)
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
        var pending = new List<(Transformation Upstream, Transformation Downstream, int Input, PartitionerKind Partitioner, Delegate? KeyHash, Transformation? Side)>();
        var sideOutputTypes = new Dictionary<(Transformation Operator, string Tag), (Type Type, Transformation Reader)>();

        foreach (var node in physical)
        {
            int p = ResolveParallelism(node, defaultParallelism, maxParallelism);
            parallelism[node] = p;

            if (node.IsSource)
            {
                vertexOf[node] = AddVertex(vertices, node, p);
                continue;
            }

            if (node.Inputs.Count != 1)
            {
                throw new JobGraphException(node.Name, $"has {node.Inputs.Count} inputs; only one-input operators are supported.");
            }

            var (upstream, explicitPartitioner, keyHash, side) = ResolveInput(node.Inputs[0]);
            if (side is ISideOutputTransformation tagged)
            {
                if (sideOutputTypes.TryGetValue((upstream, tagged.TagId), out var first) && first.Type != tagged.RecordType)
                {
                    throw new JobGraphException(node.Name,
                        $"reads the side output '{tagged.TagId}' of '{upstream.Name}' as {tagged.RecordType.Name}, but '{first.Reader.Name}' reads it as {first.Type.Name}; a tag has one record type.");
                }

                sideOutputTypes.TryAdd((upstream, tagged.TagId), (tagged.RecordType, node));
            }

            int upstreamParallelism = parallelism[upstream];
            var partitioner = explicitPartitioner ?? (upstreamParallelism == p ? PartitionerKind.Forward : PartitionerKind.Rebalance);
            if (partitioner == PartitionerKind.Forward && upstreamParallelism != p)
            {
                throw new JobGraphException(node.Name,
                    $"forward partitioning needs equal parallelism, but '{upstream.Name}' has {upstreamParallelism} and this operator has {p}. Use Rebalance() or KeyBy() between them.");
            }

            if (node is IKeyedTransformation && partitioner != PartitionerKind.Hash)
            {
                throw new JobGraphException(node.Name, "is a keyed operator but its input is not partitioned by key: call KeyBy() before it.");
            }

            if (partitioner == PartitionerKind.Forward && !node.StartsNewChain && node.SlotSharingGroup == upstream.SlotSharingGroup)
            {
                var vertex = vertexOf[upstream];
                vertex.Chain(node);
                vertexOf[node] = vertex;
            }
            else
            {
                vertexOf[node] = AddVertex(vertices, node, p);
                pending.Add((upstream, node, 0, partitioner, keyHash, side));
            }
        }

        if (!physical.Any(t => t.IsSink))
        {
            throw new JobGraphException("The job has no sink: every stream that should run must end in SinkTo(...).");
        }

        var edges = new List<JobEdge>();
        foreach (var (upstream, downstream, input, partitioner, keyHash, side) in pending)
        {
            var edge = new JobEdge(edges.Count, vertexOf[upstream], upstream, vertexOf[downstream], input, partitioner, keyHash, side);
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

    /// <summary>
    /// Walks up through repartitioning and side output steps to the operator that produces the records:
    /// the repartitioning nearest the consumer decides the partitioner; a side output step says which
    /// of the operator's outputs the records come from.
    /// </summary>
    internal static (Transformation Upstream, PartitionerKind? Partitioner, Delegate? KeyHash, Transformation? SideOutput) ResolveInput(Transformation input)
    {
        PartitionerKind? partitioner = null;
        Delegate? keyHash = null;
        Transformation? sideOutput = null;
        while (input.IsVirtual)
        {
            if (partitioner is null && input is IPartitioning partitioning)
            {
                partitioner = partitioning.Partitioner;
                keyHash = partitioning.KeyHashDelegate;
            }

            if (input is ISideOutputTransformation)
            {
                sideOutput = input;
            }

            input = input.Inputs[0];
        }

        return (input, partitioner, keyHash, sideOutput);
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

/// <summary>Marks operators that keep per-key state and so need a hash-partitioned input.</summary>
internal interface IKeyedTransformation;
