using OrleansStream.Api.Connectors;
using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>
/// The head of a source chain: reads a bounded slice from the subtask's splits per call and pushes
/// the records into the chain. The hosting task decides when to call it (a turn never blocks).
/// Its checkpointed state is its splits with their progress; restored splits replace the source's
/// fresh ones, so a restored job reads on from where the checkpoint stood, at any parallelism.
/// </summary>
public sealed class SourceOperator<T>(string name, ISource<T> source) : ISourceOperator, ISourceOutput<T>, ICheckpointedOperator, ICheckpointListener
{
    private IOutput<T>? _output;
    private ISourceReader<T>? _reader;
    private long _recordsOut;

    public string Name { get; } = name;

    public long RecordsIn => 0;

    public long RecordsOut => _recordsOut;

    public bool IsBounded => source.IsBounded;

    public void Bind(IOutput<T> output) => _output = output;

    public void Open(OperatorContext context)
    {
        List<SourceSplit> mine;
        if (context.State.RestoredCheckpointId is not null)
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

        _reader = source.CreateReader(new SourceReaderContext(context.SubtaskIndex, context.Parallelism, mine));
    }

    public IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId)
        => _reader!.SnapshotSplits().Select(source.SplitSerializer.Serialize).ToList();

    public ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken)
        => _reader?.NotifyCheckpointCompleteAsync(checkpointId, cancellationToken) ?? ValueTask.CompletedTask;

    public SourceBacklog? Backlog => _reader?.Backlog;

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
