namespace OrleansStream.Windows;

/// <summary>The result of a keyed window: the key, the window and the aggregated value.</summary>
public readonly record struct WindowResult<TKey, TValue>(TKey Key, TimeWindow Window, TValue Value);
