using OrleansStream.Api.Connectors;

namespace OrleansStream.Operators;

/// <summary>The non-generic face of a source operator, for the task that drives it.</summary>
public interface ISourceOperator : IStreamOperator
{
    bool IsBounded { get; }

    /// <summary>What the subtask's reader has yet to read, or null when it cannot tell.</summary>
    SourceBacklog? Backlog { get; }

    ValueTask<ReadStatus> ReadAsync(int maxRecords, CancellationToken cancellationToken);

    void EmitEndOfInput();
}
