namespace OrleansStream.Windows;

/// <summary>What a trigger decides for a window (Flink's TriggerResult): emit its contents, drop them, both, or neither.</summary>
[Flags]
public enum TriggerResult
{
    /// <summary>Nothing happens to the window.</summary>
    Continue = 0,

    /// <summary>The window emits its result; its contents stay.</summary>
    Fire = 1,

    /// <summary>The window's contents are dropped (its trigger state and timers stay until the window is cleaned up).</summary>
    Purge = 2,

    /// <summary>The window emits its result, then its contents are dropped.</summary>
    FireAndPurge = Fire | Purge,
}

/// <summary>Reads a <see cref="TriggerResult"/>.</summary>
public static class TriggerResultExtensions
{
    public static bool IsFire(this TriggerResult result) => (result & TriggerResult.Fire) != 0;

    public static bool IsPurge(this TriggerResult result) => (result & TriggerResult.Purge) != 0;
}
