using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;

namespace OrleansStream.Operators;

/// <summary>
/// Writes records to a sink writer; flushes it on the clock tick and at every checkpoint barrier. For a
/// <see cref="ITransactionalSink{T}"/> it runs the two-phase commit: at a barrier the writer pre-commits
/// the checkpoint's transaction, whose committable is kept in operator state until the checkpoint
/// completes and is then committed; restored committables are committed again after a failure.
/// </summary>
public sealed class SinkOperator<T>(string name, ISink<T> sink, TimeSpan flushInterval) : OneInputOperator<T, T>(name), ICheckpointedOperator, ICheckpointListener
{
    private readonly long _flushIntervalMillis = (long)flushInterval.TotalMilliseconds;
    private readonly List<SinkCommittable> _pending = new();
    private ISinkWriter<T>? _writer;
    private ITransactionalSinkWriter<T>? _transactional;
    private ISinkCommitter? _committer;
    private long _lastFlush;

    /// <summary>Pre-committed transactions waiting for their checkpoint to complete.</summary>
    public int PendingCommits => _pending.Count;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        var sinkContext = new SinkContext(context.JobId, context.OperatorId, context.SubtaskIndex, context.Parallelism, context.Attempt, context.Generation);
        _writer = sink.CreateWriter(sinkContext);
        if (sink is ITransactionalSink<T> transactional)
        {
            _transactional = _writer as ITransactionalSinkWriter<T> ?? throw new InvalidOperationException(
                $"Sink '{Name}' is transactional but its writer ({_writer.GetType().Name}) does not implement {nameof(ITransactionalSinkWriter<T>)}.");
            _committer = transactional.CreateCommitter(sinkContext);
            _pending.AddRange(context.State.RestoredOperatorState.Select(SinkCommittableCodec.Decode).OrderBy(c => c.CheckpointId));
        }
    }

    public override void ProcessElement(T value, long timestamp) => _writer!.Write(value, timestamp);

    public override void ProcessWatermark(long watermark) { }

    public override void ProcessIdle(bool idle) { }

    public override void OnProcessingTime(long now)
    {
        if (now - _lastFlush >= _flushIntervalMillis)
        {
            _lastFlush = now;
            _writer!.Flush();
        }
    }

    public override void Finish() => _writer?.Flush();

    public IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId)
    {
        _writer!.Flush();
        if (_transactional is null)
        {
            return Array.Empty<byte[]>();
        }

        if (_transactional.PrepareCommit(checkpointId) is { } data)
        {
            _pending.Add(new SinkCommittable(checkpointId, Context.SubtaskIndex, Context.Attempt, data));
        }

        return _pending.Select(SinkCommittableCodec.Encode).ToList();
    }

    public async ValueTask NotifyCheckpointCompleteAsync(long checkpointId, CancellationToken cancellationToken)
    {
        if (_committer is null)
        {
            return;
        }

        // In order, and each removed only once committed: a failure leaves the rest pending for the next completion or the restore.
        while (_pending.Count > 0 && _pending[0].CheckpointId <= checkpointId)
        {
            await _committer.CommitAsync(_pending[0], cancellationToken);
            _pending.RemoveAt(0);
        }
    }

    public override async ValueTask CloseAsync()
    {
        if (_writer is { } writer)
        {
            _writer = null;
            _transactional = null;
            await writer.DisposeAsync();
        }

        if (_committer is { } committer)
        {
            _committer = null;
            await committer.DisposeAsync();
        }
    }
}

/// <summary>The stored form of a <see cref="SinkCommittable"/> in a checkpoint.</summary>
internal static class SinkCommittableCodec
{
    public static byte[] Encode(SinkCommittable committable)
    {
        var writer = new PayloadWriter(committable.Data.Length + 24);
        writer.WriteVarInt64(committable.CheckpointId);
        writer.WriteVarInt32(committable.Subtask);
        writer.WriteVarInt32(committable.Attempt);
        writer.WriteBytes(committable.Data);
        return writer.ToArray();
    }

    public static SinkCommittable Decode(byte[] bytes)
    {
        var reader = new PayloadReader(bytes);
        long checkpointId = reader.ReadVarInt64();
        int subtask = reader.ReadVarInt32();
        int attempt = reader.ReadVarInt32();
        return new SinkCommittable(checkpointId, subtask, attempt, reader.ReadBytes().ToArray());
    }
}
