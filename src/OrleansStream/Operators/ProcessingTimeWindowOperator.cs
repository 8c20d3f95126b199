using OrleansStream.Functions;
using OrleansStream.Windows;

namespace OrleansStream.Operators;

/// <summary>
/// Keyed tumbling windows over the processing clock: an element joins the window that contains the
/// time it arrives; a window fires on the first clock tick past its end, and at end of input.
/// </summary>
public sealed class ProcessingTimeWindowOperator<TIn, TKey, TAcc, TAgg, TOut> : AlignedWindowOperator<TIn, TKey, TAcc, TAgg, TOut>
    where TKey : notnull
{
    public ProcessingTimeWindowOperator(
        string name,
        AlignedWindowAssigner assigner,
        Func<TIn, TKey> keySelector,
        IAggregateFunction<TIn, TAcc, TAgg> aggregate,
        Func<TKey, TimeWindow, TAgg, TOut> resultSelector) : base(name, assigner, keySelector, aggregate, resultSelector)
    {
        if (assigner.IsEventTime || !assigner.IsTumbling)
        {
            throw new ArgumentException($"{assigner} is not a tumbling processing-time window.", nameof(assigner));
        }
    }

    public override void ProcessElement(TIn value, long timestamp)
        => Accumulate(Assigner.LastWindowStart(Context.Now) + Assigner.Size, KeySelector(value), value);

    /// <summary>
    /// Processing-time windows do not wait for watermarks; they pass them on. At the end of time they
    /// fire first, so that their results are not behind the last watermark downstream.
    /// </summary>
    public override void ProcessWatermark(long watermark)
    {
        if (watermark == Time.Watermark.EndOfTime)
        {
            FireWindowsEndingBy(long.MaxValue);
        }

        Output.EmitWatermark(watermark);
    }

    public override void OnProcessingTime(long now) => FireWindowsEndingBy(now);

    public override void Finish() => FireWindowsEndingBy(long.MaxValue);
}
