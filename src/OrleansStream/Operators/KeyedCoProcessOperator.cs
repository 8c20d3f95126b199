using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>Runs a <see cref="KeyedCoProcessFunction{TKey, TIn1, TIn2, TOut}"/> over two streams keyed the same way.</summary>
public sealed class KeyedCoProcessOperator<TKey, TIn1, TIn2, TOut>(
    string name,
    Func<TIn1, TKey> keySelector1,
    Func<TIn2, TKey> keySelector2,
    KeyedCoProcessFunction<TKey, TIn1, TIn2, TOut> function) : TwoInputOperator<TIn1, TIn2, TOut>(name)
    where TKey : notnull
{
    private KeyedFunctionHost<TKey, TOut> _host = null!;

    public override long RecordsOut => _host?.RecordsOut ?? 0;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _host = KeyedFunctionHost<TKey, TOut>.Open(Name, context, Output, SideOutputs, function);
    }

    public override void ProcessElement1(TIn1 value, long timestamp)
    {
        _host.SetCurrentElement(keySelector1(value), timestamp);
        function.ProcessElement1(value, _host, _host);
    }

    public override void ProcessElement2(TIn2 value, long timestamp)
    {
        _host.SetCurrentElement(keySelector2(value), timestamp);
        function.ProcessElement2(value, _host, _host);
    }

    public override void ProcessWatermark(long watermark) => _host.ProcessWatermark(watermark);

    public override void OnProcessingTime(long now) => _host.OnProcessingTime(now);

    public override ValueTask CloseAsync()
    {
        function.Close();
        return ValueTask.CompletedTask;
    }
}
