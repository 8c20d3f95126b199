using OrleansStream.Codecs;

namespace OrleansStream.State;

/// <summary>A broadcast state's name, as declared on <c>DataStream.Broadcast(...)</c>.</summary>
public interface IBroadcastStateDescriptor
{
    string Name { get; }
}

/// <summary>Names a broadcast state and its types (Flink's MapStateDescriptor for broadcast state).</summary>
public sealed class MapStateDescriptor<TKey, TValue> : IBroadcastStateDescriptor
    where TKey : notnull
{
    public MapStateDescriptor(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    public string Name { get; }

    public override string ToString() => $"MapStateDescriptor<{typeof(TKey).Name}, {typeof(TValue).Name}>('{Name}')";
}

/// <summary>A broadcast state as the keyed side of a broadcast process function sees it: read only, so every subtask keeps the same copy.</summary>
public interface IReadOnlyBroadcastState<TKey, TValue>
    where TKey : notnull
{
    bool TryGetValue(TKey key, out TValue value);

    bool Contains(TKey key);

    IEnumerable<KeyValuePair<TKey, TValue>> Entries { get; }

    int Count { get; }
}

/// <summary>A broadcast state as the broadcast side sees it: every subtask applies the same broadcast elements to its own copy.</summary>
public interface IBroadcastState<TKey, TValue> : IReadOnlyBroadcastState<TKey, TValue>
    where TKey : notnull
{
    void Put(TKey key, TValue value);

    bool Remove(TKey key);

    void Clear();
}

/// <summary>The non-generic face of a broadcast state: its name and how it is written into and read from a snapshot.</summary>
internal interface IBroadcastStateTable
{
    string Name { get; }

    void Write(PayloadWriter writer);

    void Read(ref PayloadReader reader);
}

internal sealed class BroadcastStateTable<TKey, TValue>(string name) : IBroadcastState<TKey, TValue>, IBroadcastStateTable
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _entries = new();
    private readonly IRecordCodec<TKey> _keyCodec = RecordCodec.For<TKey>();
    private readonly IRecordCodec<TValue> _valueCodec = RecordCodec.For<TValue>();

    public string Name { get; } = name;

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<TKey, TValue>> Entries => _entries;

    public bool TryGetValue(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    public bool Contains(TKey key) => _entries.ContainsKey(key);

    public void Put(TKey key, TValue value) => _entries[key] = value;

    public bool Remove(TKey key) => _entries.Remove(key);

    public void Clear() => _entries.Clear();

    public void Write(PayloadWriter writer)
    {
        writer.WriteVarInt32(_entries.Count);
        foreach (var (key, value) in _entries)
        {
            _keyCodec.Write(writer, key);
            _valueCodec.Write(writer, value);
        }
    }

    public void Read(ref PayloadReader reader)
    {
        int count = reader.ReadVarInt32();
        for (int i = 0; i < count; i++)
        {
            var key = _keyCodec.Read(ref reader);
            _entries[key] = _valueCodec.Read(ref reader);
        }
    }
}

/// <summary>
/// The broadcast states of one operator instance. A snapshot is one operator state item holding every
/// state; on restore every subtask receives the items of all old subtasks (their copies are equal) and
/// keeps the one of its own index, or of the index modulo the old parallelism when the job scaled up.
/// Restored states no one has asked for yet are carried into later snapshots unchanged.
/// </summary>
public sealed class BroadcastStateSet
{
    private readonly Dictionary<string, IBroadcastStateTable> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _unclaimed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _declared;
    private readonly string _operatorName;

    public BroadcastStateSet(string operatorName, IEnumerable<IBroadcastStateDescriptor> declared)
    {
        _operatorName = operatorName;
        _declared = declared.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Chooses this subtask's copy among the restored items of every old subtask.</summary>
    public void Restore(IReadOnlyList<byte[]> items, int subtask)
    {
        if (items.Count == 0)
        {
            return;
        }

        var reader = new PayloadReader(items[subtask % items.Count]);
        int count = reader.ReadVarInt32();
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString() ?? "";
            _unclaimed[name] = reader.ReadBytes().ToArray();
        }
    }

    /// <exception cref="InvalidOperationException">The state was not declared on the broadcast stream, or has other types.</exception>
    public IBroadcastState<TKey, TValue> Get<TKey, TValue>(MapStateDescriptor<TKey, TValue> descriptor)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (_states.TryGetValue(descriptor.Name, out var existing))
        {
            return existing as IBroadcastState<TKey, TValue> ?? throw new InvalidOperationException(
                $"Operator '{_operatorName}' asked for the broadcast state '{descriptor.Name}' with other types than it has ({descriptor}).");
        }

        if (!_declared.Contains(descriptor.Name))
        {
            throw new InvalidOperationException(
                $"Operator '{_operatorName}' asked for the broadcast state '{descriptor.Name}', which the broadcast stream does not declare: " +
                $"name it in Broadcast(...) (declared: {(_declared.Count == 0 ? "none" : string.Join(", ", _declared.Order(StringComparer.Ordinal).Select(n => $"'{n}'")))}).");
        }

        var state = new BroadcastStateTable<TKey, TValue>(descriptor.Name);
        _states.Add(descriptor.Name, state);
        if (_unclaimed.Remove(descriptor.Name, out var restored))
        {
            var reader = new PayloadReader(restored);
            state.Read(ref reader);
        }

        return state;
    }

    public byte[] Snapshot()
    {
        var writer = new PayloadWriter(256);
        writer.WriteVarInt32(_states.Count + _unclaimed.Count);
        var entries = new PayloadWriter(256);
        foreach (var state in _states.Values)
        {
            entries.Reset();
            state.Write(entries);
            writer.WriteString(state.Name);
            writer.WriteBytes(entries.WrittenSpan);
        }

        foreach (var (name, bytes) in _unclaimed)
        {
            writer.WriteString(name);
            writer.WriteBytes(bytes);
        }

        return writer.ToArray();
    }
}
