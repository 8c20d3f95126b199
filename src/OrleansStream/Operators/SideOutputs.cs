using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>
/// The side outputs of one operator instance, by tag: where the records it emits to an
/// <see cref="OutputTag{T}"/> go. Only tags that some stream reads (<c>GetSideOutput</c>) are here.
/// </summary>
public sealed class SideOutputs
{
    private readonly Dictionary<string, List<ISideOutput>> _byTag = new(StringComparer.Ordinal);

    internal SideOutputs()
    {
    }

    /// <summary>An operator without side outputs.</summary>
    public static SideOutputs None { get; } = new();

    public bool IsEmpty => _byTag.Count == 0;

    internal IEnumerable<ISideOutput> All => _byTag.Values.SelectMany(outputs => outputs);

    /// <summary>
    /// The output of <paramref name="tag"/>, or null when no stream reads it (then what the operator would
    /// emit there is lost, and it should count it as dropped). Resolve it once, when the operator opens.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tag's stream was read with another record type.</exception>
    public IOutput<T>? Get<T>(OutputTag<T> tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (!_byTag.TryGetValue(tag.Id, out var outputs))
        {
            return null;
        }

        var typed = outputs.Select(output => output as SideOutput<T> ?? throw new InvalidOperationException(
                $"The side output '{tag.Id}' carries {output.RecordType.Name} records, but the operator emits {typeof(T).Name} to it."))
            .Select(output => output.Output)
            .ToArray();
        return typed.Length == 1 ? typed[0] : new FanOutOutput<T>(typed);
    }

    internal void Add(ISideOutput output)
    {
        if (!_byTag.TryGetValue(output.TagId, out var outputs))
        {
            _byTag[output.TagId] = outputs = new List<ISideOutput>();
        }

        outputs.Add(output);
    }
}
