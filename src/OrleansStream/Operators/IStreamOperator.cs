namespace OrleansStream.Operators;

/// <summary>
/// The lifecycle every operator shares. Operators never see grains, streams or the coordinator: the
/// task that hosts them calls these hooks in order.
/// </summary>
public interface IStreamOperator
{
    string Name { get; }

    void Open(OperatorContext context);

    /// <summary>The processing-time clock ticked; <paramref name="now"/> is epoch milliseconds.</summary>
    void OnProcessingTime(long now);

    /// <summary>All input has been received; emit what is still held (called root to leaf).</summary>
    void Finish();

    /// <summary>Releases resources; called after <see cref="Finish"/>, or when the task is cancelled.</summary>
    ValueTask CloseAsync();

    long RecordsIn { get; }

    long RecordsOut { get; }
}
