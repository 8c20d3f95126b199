namespace OrleansStream.Graph;

/// <summary>How records of an edge are spread over the target vertex's subtasks.</summary>
public enum PartitionerKind
{
    /// <summary>Subtask i sends to subtask i only; needs equal parallelism and allows chaining.</summary>
    Forward,

    /// <summary>By key group of the record's key: the same key always reaches the same subtask.</summary>
    Hash,

    /// <summary>Round robin over all target subtasks.</summary>
    Rebalance,

    /// <summary>Every record to every target subtask.</summary>
    Broadcast,
}
