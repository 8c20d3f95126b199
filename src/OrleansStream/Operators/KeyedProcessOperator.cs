using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>Runs a <see cref="KeyedProcessFunction{TKey, TIn, TOut}"/> (Flink's KeyedProcessOperator).</summary>
public sealed class KeyedProcessOperator<TKey, TIn, TOut>(string name, Func<TIn, TKey> keySelector, KeyedProcessFunction<TKey, TIn, TOut> function)
    : OneInputOperator<TIn, TOut>(name)
    where TKey : notnull
{
    private KeyedFunctionHost<TKey, TOut> _host = null!;

    public override long RecordsOut => _host?.RecordsOut ?? 0;

    public override void Open(OperatorContext context)
    {
        base.Open(context);
        _host = KeyedFunctionHost<TKey, TOut>.Open(Name, context, Output, SideOutputs, function);
    }

    public override void ProcessElement(TIn value, long timestamp)
    {
        _host.SetCurrentElement(keySelector(value), timestamp);
        function.ProcessElement(value, _host, _host);
    }

    public override void ProcessWatermark(long watermark) => _host.ProcessWatermark(watermark);

    public override void OnProcessingTime(long now) => _host.OnProcessingTime(now);

    public override ValueTask CloseAsync()
    {
        function.Close();
        return ValueTask.CompletedTask;
    }
}
