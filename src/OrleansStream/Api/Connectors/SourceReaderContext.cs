namespace OrleansStream.Api.Connectors;

/// <summary>What a source subtask knows when it starts reading.</summary>
public sealed record SourceReaderContext(int SubtaskIndex, int Parallelism, IReadOnlyList<SourceSplit> Splits);
