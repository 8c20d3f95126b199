using OrleansStream.Api.Connectors;

namespace OrleansStream.Operators;

/// <summary>The non-generic face of a source operator, for the task that drives it.</summary>
public interface ISourceOperator : IStreamOperator
{
    bool IsBounded { get; }

    ValueTask<ReadStatus> ReadAsync(int maxRecords, CancellationToken cancellationToken);

    void EmitEndOfInput();
}
