using OrleansStream.Functions;

namespace OrleansStream.Operators;

/// <summary>
/// Where a window operator's late elements go: to the late-data side output when a tag is set and a stream
/// reads it, else nowhere; either way they are counted.
/// </summary>
internal sealed class LateElements<T>
{
    private readonly IOutput<T>? _output;

    public LateElements(OutputTag<T>? tag, SideOutputs sideOutputs) => _output = tag is null ? null : sideOutputs.Get(tag);

    /// <summary>Late elements that went nowhere: no late-data tag is set, or nothing reads it.</summary>
    public long Dropped { get; private set; }

    /// <summary>Late elements emitted to the late-data side output.</summary>
    public long SideOutput { get; private set; }

    public void Collect(T value, long timestamp)
    {
        if (_output is { } late)
        {
            SideOutput++;
            late.Collect(value, timestamp);
        }
        else
        {
            Dropped++;
        }
    }
}
