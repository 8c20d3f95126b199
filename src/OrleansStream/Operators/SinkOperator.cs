using OrleansStream.Connectors;

namespace OrleansStream.Operators;

/// <summary>Writes records to a sink writer; flushes it on the clock tick and closes it at the end.</summary>
public sealed class SinkOperator<T>(string name, ISink<T> sink, TimeSpan flushInterval) : OneInputOperator<T, T>(name)
{
    private readonly long _flushIntervalMillis = (long)flushInterval.TotalMilliseconds;
    private ISinkWriter<T>? _writer;
    private long _lastFlush;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _writer = sink.CreateWriter(new SinkContext(context.JobId, context.OperatorName, context.SubtaskIndex, context.Parallelism, context.Attempt));
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

    public override async ValueTask CloseAsync()
    {
        if (_writer is { } writer)
        {
            _writer = null;
            await writer.DisposeAsync();
        }
    }
}
