namespace OrleansStream.Api.Connectors;

/// <summary>What a sink subtask knows when it opens.</summary>
/// <param name="JobId">The job's id; unique in the cluster.</param>
/// <param name="OperatorId">The sink operator's stable id within the job (its uid), the same across attempts and rescaling.</param>
/// <param name="SubtaskIndex">This subtask's index.</param>
/// <param name="Parallelism">How many subtasks the sink has in this attempt.</param>
/// <param name="Attempt">The job attempt, from 1; a restarted job runs under a higher attempt.</param>
/// <param name="Generation">
/// How often this subtask moved to another silo within its attempt (a live drain), from 0. A writer that names what it
/// stages by attempt and subtask includes it: the moved subtask's writer is a second writer of the same attempt and subtask.
/// </param>
public sealed record SinkContext(string JobId, string OperatorId, int SubtaskIndex, int Parallelism, int Attempt, int Generation = 0);
