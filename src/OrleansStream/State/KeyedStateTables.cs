using System.Runtime.InteropServices;
using OrleansStream.Codecs;

namespace OrleansStream.State;

/// <summary>What the tables of one backend share: the current key and how keys map to key groups.</summary>
internal interface IKeyContext<TKey>
    where TKey : notnull
{
    TKey CurrentKey { get; }

    int KeyGroupOf(TKey key);
}

/// <summary>A keyed state table that can list the keys it holds state for.</summary>
internal interface IKeyedStateKeys<TKey>
{
    IEnumerable<TKey> Keys { get; }
}

/// <summary>Base of the per-key tables: a dictionary from key to the key's state, snapshotted per key group.</summary>
internal abstract class PerKeyTable<TKey, TState>(string name, IKeyContext<TKey> keys) : IKeyedStateTable, IKeyedStateKeys<TKey>
    where TKey : notnull
{
    private readonly IRecordCodec<TKey> _keyCodec = RecordCodec.For<TKey>();

    protected Dictionary<TKey, TState> Table { get; } = new();

    protected TKey CurrentKey => keys.CurrentKey;

    public string Name { get; } = name;

    public int Count => Table.Count;

    public IEnumerable<TKey> Keys => Table.Keys;

    public void Snapshot(KeyGroupSectionWriter writer)
    {
        BeforeSnapshot();
        foreach (var (key, state) in Table)
        {
            var entry = writer.BeginEntry(keys.KeyGroupOf(key));
            _keyCodec.Write(entry, key);
            WriteState(entry, state);
        }
    }

    public void Restore(ref PayloadReader reader, int entries)
    {
        for (int i = 0; i < entries; i++)
        {
            var key = _keyCodec.Read(ref reader);
            Table[key] = ReadState(ref reader);
        }
    }

    public void Extract(KeyGroupSectionWriter writer, Func<int, bool> keyGroups)
    {
        List<TKey>? moving = null;
        foreach (var (key, state) in Table)
        {
            int keyGroup = keys.KeyGroupOf(key);
            if (keyGroups(keyGroup))
            {
                var entry = writer.BeginEntry(keyGroup);
                _keyCodec.Write(entry, key);
                WriteState(entry, state);
                (moving ??= new()).Add(key);
            }
        }

        foreach (var key in moving ?? Enumerable.Empty<TKey>())
        {
            Table.Remove(key);
        }
    }

    /// <summary>Called before the entries are written; tables with a time to live drop expired entries here.</summary>
    protected virtual void BeforeSnapshot() { }

    protected abstract void WriteState(PayloadWriter writer, TState state);

    protected abstract TState ReadState(ref PayloadReader reader);
}

internal sealed class ValueStateTable<TKey, T>(string name, IKeyContext<TKey> keys) : PerKeyTable<TKey, T>(name, keys), IValueState<T>
    where TKey : notnull
{
    private readonly IRecordCodec<T> _codec = RecordCodec.For<T>();

    public T? Value => Table.TryGetValue(CurrentKey, out var value) ? value : default;

    public bool TryGetValue(out T value) => Table.TryGetValue(CurrentKey, out value!);

    public void Update(T value) => Table[CurrentKey] = value;

    public void Clear() => Table.Remove(CurrentKey);

    protected override void WriteState(PayloadWriter writer, T state) => _codec.Write(writer, state);

    protected override T ReadState(ref PayloadReader reader) => _codec.Read(ref reader);
}

internal sealed class ListStateTable<TKey, T>(string name, IKeyContext<TKey> keys) : PerKeyTable<TKey, List<T>>(name, keys), IListState<T>
    where TKey : notnull
{
    private readonly IRecordCodec<T> _codec = RecordCodec.For<T>();

    public IReadOnlyList<T> Get() => Table.TryGetValue(CurrentKey, out var list) ? list : Array.Empty<T>();

    public void Add(T value) => ListOfCurrentKey().Add(value);

    public void AddAll(IEnumerable<T> values) => ListOfCurrentKey().AddRange(values);

    public void Update(IEnumerable<T> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
        {
            Clear();
        }
        else
        {
            Table[CurrentKey] = list;
        }
    }

    public void Clear() => Table.Remove(CurrentKey);

    protected override void WriteState(PayloadWriter writer, List<T> state)
    {
        writer.WriteVarInt32(state.Count);
        foreach (var value in state)
        {
            _codec.Write(writer, value);
        }
    }

    protected override List<T> ReadState(ref PayloadReader reader)
    {
        int count = reader.ReadVarInt32();
        var list = new List<T>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(_codec.Read(ref reader));
        }

        return list;
    }

    private List<T> ListOfCurrentKey()
    {
        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(Table, CurrentKey, out _);
        return list ??= new List<T>();
    }
}

internal sealed class MapStateTable<TKey, TUserKey, TUserValue>(string name, IKeyContext<TKey> keys)
    : PerKeyTable<TKey, Dictionary<TUserKey, TUserValue>>(name, keys), IMapState<TUserKey, TUserValue>
    where TKey : notnull
    where TUserKey : notnull
{
    private readonly IRecordCodec<TUserKey> _userKeyCodec = RecordCodec.For<TUserKey>();
    private readonly IRecordCodec<TUserValue> _userValueCodec = RecordCodec.For<TUserValue>();

    public IEnumerable<KeyValuePair<TUserKey, TUserValue>> Entries => MapOfCurrentKeyOrNull() ?? Enumerable.Empty<KeyValuePair<TUserKey, TUserValue>>();

    public bool IsEmpty => MapOfCurrentKeyOrNull() is null;

    public bool TryGetValue(TUserKey key, out TUserValue value)
    {
        if (MapOfCurrentKeyOrNull() is { } map)
        {
            return map.TryGetValue(key, out value!);
        }

        value = default!;
        return false;
    }

    public bool Contains(TUserKey key) => MapOfCurrentKeyOrNull()?.ContainsKey(key) ?? false;

    public void Put(TUserKey key, TUserValue value)
    {
        ref var map = ref CollectionsMarshal.GetValueRefOrAddDefault(Table, CurrentKey, out _);
        (map ??= new Dictionary<TUserKey, TUserValue>())[key] = value;
    }

    public bool Remove(TUserKey key)
    {
        if (MapOfCurrentKeyOrNull() is not { } map || !map.Remove(key))
        {
            return false;
        }

        if (map.Count == 0)
        {
            Table.Remove(CurrentKey);
        }

        return true;
    }

    public void Clear() => Table.Remove(CurrentKey);

    protected override void WriteState(PayloadWriter writer, Dictionary<TUserKey, TUserValue> state)
    {
        writer.WriteVarInt32(state.Count);
        foreach (var (key, value) in state)
        {
            _userKeyCodec.Write(writer, key);
            _userValueCodec.Write(writer, value);
        }
    }

    protected override Dictionary<TUserKey, TUserValue> ReadState(ref PayloadReader reader)
    {
        int count = reader.ReadVarInt32();
        var map = new Dictionary<TUserKey, TUserValue>(count);
        for (int i = 0; i < count; i++)
        {
            var key = _userKeyCodec.Read(ref reader);
            map[key] = _userValueCodec.Read(ref reader);
        }

        return map;
    }

    private Dictionary<TUserKey, TUserValue>? MapOfCurrentKeyOrNull() => Table.TryGetValue(CurrentKey, out var map) ? map : null;
}
