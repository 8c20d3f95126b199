namespace OrleansStream.Functions;

/// <summary>
/// Names a side output of type <typeparamref name="T"/> (Flink's OutputTag): an operator emits records to
/// the tag next to its main output, and <c>DataStream.GetSideOutput(tag)</c> reads them as a
/// stream of their own. Tags are equal when their ids are equal.
/// </summary>
public sealed class OutputTag<T> : IEquatable<OutputTag<T>>
{
    public OutputTag(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    /// <summary>The tag's name; unique among the side outputs of one operator.</summary>
    public string Id { get; }

    public bool Equals(OutputTag<T>? other) => other is not null && other.Id == Id;

    public override bool Equals(object? obj) => Equals(obj as OutputTag<T>);

    public override int GetHashCode() => Id.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => $"OutputTag<{typeof(T).Name}>('{Id}')";
}
