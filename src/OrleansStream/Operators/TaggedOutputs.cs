using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>
/// Emits to side outputs by tag for functions that name tags as they go (process functions): each tag's
/// output is resolved once, and records for a tag no stream reads are counted as dropped.
/// </summary>
internal sealed class TaggedOutputs(SideOutputs sideOutputs)
{
    private readonly Dictionary<string, object?> _byTag = new(StringComparer.Ordinal);

    /// <summary>Records emitted to side outputs that no stream reads.</summary>
    public long Dropped { get; private set; }

    public void Collect<T>(OutputTag<T> tag, T value, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (!_byTag.TryGetValue(tag.Id, out var output))
        {
            _byTag[tag.Id] = output = sideOutputs.Get(tag);
        }

        if (output is IOutput<T> side)
        {
            side.Collect(value, timestamp);
        }
        else
        {
            Dropped++;
        }
    }
}
