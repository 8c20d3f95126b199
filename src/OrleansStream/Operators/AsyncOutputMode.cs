namespace OrleansStream.Operators;

/// <summary>How async I/O results are emitted (Flink's AsyncDataStream.OutputMode).</summary>
public enum AsyncOutputMode
{
    /// <summary>In input order: a slow call holds back the results of later ones.</summary>
    Ordered,

    /// <summary>As calls complete, but never across a watermark: results before it leave before it.</summary>
    Unordered,
}
