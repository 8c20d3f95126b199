using OrleansStream.Api.Connectors;

namespace OrleansStream.Operators;

/// <summary>The non-generic face of a source operator, for the task that drives it.</summary>
public interface ISourceOperator : IStreamOperator
{
    bool IsBounded { get; }

    /// <summary>What the subtask's reader has yet to read, or null when it cannot tell.</summary>
    SourceBacklog? Backlog { get; }

    /// <summary>What the subtask's reader has read, as a mark of its watchable source (<see cref="IWatchableSource.MarkOf"/>); null for other sources.</summary>
    string? InputMark { get; }

    ValueTask<ReadStatus> ReadAsync(int maxRecords, CancellationToken cancellationToken);

    void EmitEndOfInput();

    /// <summary>The ids of the splits the subtask reads (finished ones too, which a checkpoint holds as well).</summary>
    IReadOnlyList<string> SplitIds();

    /// <summary>
    /// Stops reading the splits <paramref name="splitIds"/> and returns them, serialized, with the progress made up to the
    /// last record emitted: a reader given them emits exactly the records after that point. Between reads only.
    /// </summary>
    ValueTask<IReadOnlyList<byte[]>> RemoveSplitsAsync(IReadOnlySet<string> splitIds);

    /// <summary>Reads <paramref name="splits"/> (as <see cref="RemoveSplitsAsync"/> returned them) too, from their recorded progress on.</summary>
    ValueTask AddSplitsAsync(IReadOnlyList<byte[]> splits);
}
