using OrleansStream.Functions;
using OrleansStream.Time;

namespace OrleansStream.Operators;

/// <summary>Runs a <see cref="ProcessFunction{TIn, TOut}"/> on a non-keyed stream; what it emits keeps the element's timestamp.</summary>
public sealed class ProcessOperator<TIn, TOut>(string name, ProcessFunction<TIn, TOut> function) : OneInputOperator<TIn, TOut>(name), ICollector<TOut>
{
    private ElementContext _context = null!;
    private long _recordsOut;

    public override long RecordsOut => _recordsOut;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _context = new ElementContext(context, new TaggedOutputs(SideOutputs));
        function.Open(new RuntimeContext(context, state: null));
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        _context.SetTimestamp(timestamp == Watermark.NoTimestamp ? null : timestamp);
        function.ProcessElement(value, _context, this);
    }

    public override void ProcessWatermark(long watermark)
    {
        _context.Watermark = watermark;
        Output.EmitWatermark(watermark);
    }

    public void Collect(TOut value)
    {
        _recordsOut++;
        Output.Collect(value, _context.Timestamp ?? Watermark.NoTimestamp);
    }

    public override ValueTask CloseAsync()
    {
        function.Close();
        return ValueTask.CompletedTask;
    }

    private sealed class ElementContext(OperatorContext context, TaggedOutputs sideOutputs) : ProcessContext
    {
        private long? _timestamp;

        public override long? Timestamp => _timestamp;

        public override long CurrentWatermark => Watermark;

        public override long CurrentProcessingTime => context.Now;

        public long Watermark { get; set; } = Time.Watermark.Initial;

        public void SetTimestamp(long? timestamp) => _timestamp = timestamp;

        public override void Output<T>(OutputTag<T> tag, T value) => sideOutputs.Collect(tag, value, _timestamp ?? Time.Watermark.NoTimestamp);
    }
}
