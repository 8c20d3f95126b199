using OrleansStream.Codecs;
using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>
/// Gives records their event timestamps and generates watermarks from them. It ignores upstream
/// watermarks except the end of time, which it passes on when its input ends. Watermarks are emitted
/// on the processing-time tick, at most once per <c>interval</c>, like Flink's periodic watermarks, or
/// after every record that advances them when the strategy says so.
/// </summary>
/// <remarks>
/// Its checkpointed state is the highest timestamp it has seen and the watermark it has emitted. A
/// restored subtask feeds that timestamp to its generator and emits that watermark before anything
/// else, so that downstream operators judge the replayed records against the watermark they had when
/// the checkpoint was taken, not against none (Flink starts over from no watermark instead). After a
/// change of parallelism a subtask takes the lowest of the positions it is given, which may let some
/// records through as on time that the old job would have found late, never the other way round.
/// </remarks>
public sealed class TimestampsAndWatermarksOperator<T> : OneInputOperator<T, T>, ICheckpointedOperator
{
    private readonly WatermarkStrategy<T> _strategy;
    private readonly long _intervalMillis;
    private readonly long _idleMillis;
    private IWatermarkGenerator _generator = null!;
    private long _maxTimestamp = long.MinValue;
    private long _lastEmitted = Watermark.Initial;
    private long _restoredWatermark = Watermark.Initial;
    private long _lastEmitTime;
    private long _lastRecordTime;
    private bool _idle;

    public TimestampsAndWatermarksOperator(string name, WatermarkStrategy<T> strategy, TimeSpan interval) : base(name)
    {
        _strategy = strategy;
        _intervalMillis = Math.Max(0, (long)interval.TotalMilliseconds);
        _idleMillis = strategy.Idleness is { } idle ? (long)idle.TotalMilliseconds : long.MaxValue;
    }

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _generator = _strategy.CreateGenerator();
        _lastRecordTime = context.Now;
        if (context.State.RestoredOperatorState.Count > 0)
        {
            Restore(context.State.RestoredOperatorState);
        }
    }

    public override void ProcessElement(T value, long timestamp)
    {
        if (_strategy.TimestampAssigner is { } assign)
        {
            timestamp = assign(value);
        }

        if (timestamp != Watermark.NoTimestamp)
        {
            _generator.OnEvent(timestamp);
            _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        }

        _lastRecordTime = long.MinValue;
        if (_idle)
        {
            _idle = false;
            Output.EmitIdle(false);
        }

        EmitRestoredWatermark();
        Output.Collect(value, timestamp);
        if (_strategy.EmitsPerRecord)
        {
            // After the record, as Flink does: a record is never late against the watermark it moved.
            EmitGeneratorWatermark();
        }
    }

    public override void ProcessWatermark(long watermark)
    {
        if (watermark == Watermark.EndOfTime)
        {
            _lastEmitted = watermark;
            Output.EmitWatermark(watermark);
        }
    }

    public override void OnProcessingTime(long now)
    {
        if (_lastRecordTime == long.MinValue)
        {
            _lastRecordTime = now;
        }
        else if (!_idle && now - _lastRecordTime >= _idleMillis)
        {
            _idle = true;
            Output.EmitIdle(true);
            return;
        }

        EmitRestoredWatermark();
        if (now - _lastEmitTime < _intervalMillis)
        {
            return;
        }

        _lastEmitTime = now;
        EmitGeneratorWatermark();
    }

    public IReadOnlyList<byte[]> SnapshotOperatorState(long checkpointId)
    {
        // The end of time is not a position: a restored subtask whose input had ended ends it again.
        long emitted = Math.Max(_lastEmitted == Watermark.EndOfTime ? _generator.CurrentWatermark : _lastEmitted, _restoredWatermark);
        var writer = new PayloadWriter(24);
        writer.WriteVarInt64(_maxTimestamp);
        writer.WriteVarInt64(emitted);
        return [writer.ToArray()];
    }

    private void Restore(IReadOnlyList<byte[]> items)
    {
        long maxTimestamp = long.MaxValue;
        long watermark = long.MaxValue;
        foreach (var item in items)
        {
            var reader = new PayloadReader(item);
            maxTimestamp = Math.Min(maxTimestamp, reader.ReadVarInt64());
            watermark = Math.Min(watermark, reader.ReadVarInt64());
        }

        if (maxTimestamp != long.MinValue)
        {
            _maxTimestamp = maxTimestamp;
            _generator.OnEvent(maxTimestamp);
        }

        _restoredWatermark = watermark;
    }

    private void EmitRestoredWatermark()
    {
        if (_restoredWatermark != Watermark.Initial)
        {
            long watermark = _restoredWatermark;
            _restoredWatermark = Watermark.Initial;
            Emit(watermark);
        }
    }

    private void EmitGeneratorWatermark() => Emit(_generator.CurrentWatermark);

    private void Emit(long watermark)
    {
        if (watermark > _lastEmitted && _lastEmitted != Watermark.EndOfTime)
        {
            _lastEmitted = watermark;
            Output.EmitWatermark(watermark);
        }
    }
}
