using OrleansStream.Functions;
using OrleansStream.Operators;
using OrleansStream.Windows;

namespace OrleansStream.Api;

/// <summary>
/// How a windowed stream cuts and fires its windows: the assigner, and the trigger, evictor, allowed lateness
/// and late-data tag set on it. Each setting is checked where it is made, so a mistake names the call.
/// </summary>
internal sealed record WindowSettings<T>(
    WindowAssigner Assigner,
    Trigger<T>? Trigger = null,
    Evictor<T>? Evictor = null,
    TimeSpan AllowedLateness = default,
    OutputTag<T>? LateDataTag = null)
{
    public WindowSettings<T> WithAllowedLateness(TimeSpan lateness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lateness, TimeSpan.Zero);
        if (lateness > TimeSpan.Zero)
        {
            RequireEventTime("AllowedLateness");
        }

        return this with { AllowedLateness = lateness };
    }

    public WindowSettings<T> WithLateDataTag(OutputTag<T> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        RequireEventTime("SideOutputLateData");
        return this with { LateDataTag = tag };
    }

    public WindowSettings<T> WithTrigger(Trigger<T> trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (Assigner is MergingWindowAssigner && !trigger.CanMerge)
        {
            throw new InvalidOperationException($"The windows are {Assigner}, which merge, but {trigger} does not support merging windows.");
        }

        return this with { Trigger = trigger };
    }

    public WindowSettings<T> WithEvictor(Evictor<T> evictor)
    {
        ArgumentNullException.ThrowIfNull(evictor);
        if (Assigner is MergingWindowAssigner)
        {
            throw new InvalidOperationException($"The windows are {Assigner}, which merge; as in Flink, merging windows take no evictor.");
        }

        return this with { Evictor = evictor };
    }

    /// <summary>The general window operator with these settings and <paramref name="contents"/>.</summary>
    public WindowOperator<T, TKey, TOut> CreateOperator<TKey, TOut>(string name, Func<T, TKey> keySelector, WindowContents<T, TKey, TOut> contents)
        where TKey : notnull
        => new(name, Assigner, keySelector, Trigger ?? Assigner.DefaultTrigger.For<T>(), contents, AllowedLateness, LateDataTag);

    private void RequireEventTime(string setting)
    {
        if (!Assigner.IsEventTime)
        {
            throw new InvalidOperationException($"{setting} applies to event-time windows only, but the windows are {Assigner}: they have no late data.");
        }
    }
}
