using OrleansStream.Api.Connectors;
using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>
/// The head of a source chain: reads a bounded slice from the subtask's splits per call and pushes
/// the records into the chain. The hosting task decides when to call it (a turn never blocks).
/// Its checkpointed state is its splits with their progress; restored splits replace the source's
/// fresh ones, so a restored job reads on from where the checkpoint stood, at any parallelism. A live
/// rescale moves splits between running subtasks the same way: the reader is recreated from the
/// progress of the splits it keeps and of those it is given.
/// </summary>
public sealed class SourceOperator<T>(string name, ISource<T> source) : ISourceOperator, ISourceOutput<T>, ICheckpointedOperator, ICheckpointListener
{
    private IOutput<T>? _output;
    private ISourceReader<T>? _reader;
    private SourceReaderContext? _readerContext;
    private long _recordsOut;

    public string Name { get; } = name;

    public long RecordsIn => 0;

    public long RecordsOut => _recordsOut;

    public bool IsBounded => source.IsBounded;

    public void Bind(IOutput<T> output) => _output = output;

    public void Open(OperatorContext context)
    {
        List<SourceSplit> mine;
        if (context.JoinsRunningJob)
        {
            // The splits of a running job are all read already: this subtask gets its share from the others.
            mine = new List<SourceSplit>();
        }
        else if (context.State.RestoredCheckpointId is not null)
        {
            mine = context.State.RestoredOperatorState.Select(bytes => source.SplitSerializer.Deserialize(bytes)).ToList();
        }
        else
        {
            var splits = source.CreateSplits(context.Parallelism);
            mine = new List<SourceSplit>();
            for (int i = context.SubtaskIndex; i < splits.Count; i += context.Parallelism)
            {
                mine.Add(splits[i]);
            }
        }

        _readerContext = new SourceReaderContext(context.SubtaskIndex, context.Parallelism, mine);
        _reader = source.CreateReader(_readerContext);
    }

    public IReadOnlyList<string> SplitIds() => _reader!.SnapshotSplits().Select(split => split.SplitId).ToList();

    public async ValueTask<IReadOnlyList<byte[]>> RemoveSplitsAsync(IReadOnlySet<string> splitIds)
    {
        var splits = _reader!.SnapshotSplits();
        await RecreateReaderAsync(splits.Where(split => !splitIds.Contains(split.SplitId)).ToList());
        return splits.Where(split => splitIds.Contains(split.SplitId)).Select(source.SplitSerializer.Serialize).ToList();
    }

    public async ValueTask AddSplitsAsync(IReadOnlyList<byte[]> splits)
        => await RecreateReaderAsync(_reader!.SnapshotSplits().Concat(splits.Select(bytes => source.SplitSerializer.Deserialize(bytes))).ToList());

    /// <summary>
    /// A reader of <paramref name="splits"/> in place of the current one. Readers take their splits when they are
    /// created (FLIP-27's readers add splits but never give one back), so a split that moves recreates both readers.
    /// </summary>
    private async ValueTask RecreateReaderAsync(List<SourceSplit> splits)
    {
        var reader = _reader!;
        _reader = null;
        await reader.DisposeAsync();
        _readerContext = _readerContext! with { Splits = splits };
        _reader = source.CreateReader(_readerContext);
    }

    public IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId)
        => _reader!.SnapshotSplits().Select(source.SplitSerializer.Serialize).ToList();

    public ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken)
        => _reader?.NotifyCheckpointCompleteAsync(checkpointId, cancellationToken) ?? ValueTask.CompletedTask;

    public SourceBacklog? Backlog => _reader?.Backlog;

    public string? InputMark => _reader is not null && source is IWatchableSource { CanWatchInput: true } watchable ? watchable.MarkOf(_reader.SnapshotSplits()) : null;

    /// <summary>Reads at most <paramref name="maxRecords"/> records into the chain.</summary>
    public ValueTask<ReadStatus> ReadAsync(int maxRecords, CancellationToken cancellationToken)
        => _reader!.ReadAsync(this, maxRecords, cancellationToken);

    /// <summary>The input is exhausted: the end of time flows down the chain so every window fires.</summary>
    public void EmitEndOfInput() => _output!.EmitWatermark(Watermark.EndOfTime);

    public void OnProcessingTime(long now) { }

    public void Finish() { }

    public async ValueTask CloseAsync()
    {
        if (_reader is { } reader)
        {
            _reader = null;
            await reader.DisposeAsync();
        }
    }

    void ISourceOutput<T>.Collect(T value)
    {
        _recordsOut++;
        _output!.Collect(value, Watermark.NoTimestamp);
    }

    void ISourceOutput<T>.Collect(T value, long timestamp)
    {
        _recordsOut++;
        _output!.Collect(value, timestamp);
    }
}
