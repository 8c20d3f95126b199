using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OrleansStream.Codecs;

namespace OrleansStream.State;

/// <summary>A value with the processing time its time to live counts from.</summary>
internal readonly record struct Stamped<T>(T Value, long Time);

/// <summary>A <see cref="StateTtlConfig"/> with the clock it runs on.</summary>
internal sealed class StateTtl(StateTtlConfig config, TimeProvider clock)
{
    private readonly long _ttl = (long)config.Ttl.TotalMilliseconds;

    public long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    public bool RefreshOnRead => config.UpdateType == StateTtlUpdateType.OnReadAndWrite;

    public bool ReturnExpired => config.Visibility == StateTtlVisibility.ReturnExpiredIfNotCleanedUp;

    public bool IsExpired(long stamp, long now) => now - stamp >= _ttl;

    public void Write<T>(PayloadWriter writer, IRecordCodec<T> codec, Stamped<T> value)
    {
        writer.WriteVarInt64(value.Time);
        codec.Write(writer, value.Value);
    }

    public Stamped<T> Read<T>(ref PayloadReader reader, IRecordCodec<T> codec)
    {
        long time = reader.ReadVarInt64();
        return new Stamped<T>(codec.Read(ref reader), time);
    }
}

/// <summary>A keyed state table whose entries expire.</summary>
internal interface ITtlStateTable
{
    /// <summary>Removes every expired entry from memory.</summary>
    void Sweep(long now);

    /// <summary>Removes the expired entries of at most <paramref name="budget"/> more keys, going round the table.</summary>
    void SweepSome(long now, int budget);
}

/// <summary>
/// Where an incremental sweep of a table stands: a pass goes over a copy of the keys taken when the previous
/// pass ended, so the table may change between steps (keys added since wait for the next pass).
/// </summary>
internal sealed class SweepCursor<TKey>
{
    private TKey[] _keys = Array.Empty<TKey>();
    private int _next;

    public ReadOnlySpan<TKey> Next(ICollection<TKey> keys, int budget)
    {
        if (_next >= _keys.Length)
        {
            _keys = keys.ToArray();
            _next = 0;
        }

        int count = Math.Min(budget, _keys.Length - _next);
        var step = _keys.AsSpan(_next, count);
        _next += count;
        return step;
    }
}

/// <summary>
/// A keyed state table whose entries expire: sweeps remove expired entries from memory, all of them before a
/// snapshot (expired state is never checkpointed) or a few keys at a time on the clock's ticks.
/// </summary>
internal abstract class TtlPerKeyTable<TKey, TState>(string name, IKeyContext<TKey> keys, StateTtl ttl)
    : PerKeyTable<TKey, TState>(name, keys), ITtlStateTable
    where TKey : notnull
{
    private readonly SweepCursor<TKey> _sweep = new();

    protected StateTtl Ttl => ttl;

    public void Sweep(long now)
    {
        foreach (var (key, state) in Table)
        {
            RemoveExpired(key, state, now);
        }
    }

    public void SweepSome(long now, int budget)
    {
        foreach (var key in _sweep.Next(Table.Keys, budget))
        {
            if (Table.TryGetValue(key, out var state))
            {
                RemoveExpired(key, state, now);
            }
        }
    }

    protected override void BeforeSnapshot() => Sweep(ttl.Now);

    /// <summary>Drops what has expired of <paramref name="key"/>'s state; true when nothing is left (and the key is gone).</summary>
    protected abstract bool RemoveExpired(TKey key, TState state, long now);
}

/// <summary><see cref="IValueState{T}"/> with a time to live.</summary>
internal sealed class TtlValueStateTable<TKey, T>(string name, IKeyContext<TKey> keys, StateTtl ttl)
    : TtlPerKeyTable<TKey, Stamped<T>>(name, keys, ttl), IValueState<T>
    where TKey : notnull
{
    private readonly IRecordCodec<T> _codec = RecordCodec.For<T>();

    public T? Value => TryGetValue(out var value) ? value : default;

    public bool TryGetValue(out T value)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(Table, CurrentKey);
        if (Unsafe.IsNullRef(ref entry))
        {
            value = default!;
            return false;
        }

        long now = Ttl.Now;
        if (Ttl.IsExpired(entry.Time, now))
        {
            value = entry.Value;
            if (Ttl.ReturnExpired)
            {
                return true;
            }

            Table.Remove(CurrentKey);
            value = default!;
            return false;
        }

        if (Ttl.RefreshOnRead)
        {
            entry = entry with { Time = now };
        }

        value = entry.Value;
        return true;
    }

    public void Update(T value) => Table[CurrentKey] = new(value, Ttl.Now);

    public void Clear() => Table.Remove(CurrentKey);

    protected override bool RemoveExpired(TKey key, Stamped<T> entry, long now)
        => Ttl.IsExpired(entry.Time, now) && Table.Remove(key);

    protected override void WriteState(PayloadWriter writer, Stamped<T> state) => Ttl.Write(writer, _codec, state);

    protected override Stamped<T> ReadState(ref PayloadReader reader) => Ttl.Read(ref reader, _codec);
}

/// <summary><see cref="IListState{T}"/> whose elements each have a time to live.</summary>
internal sealed class TtlListStateTable<TKey, T>(string name, IKeyContext<TKey> keys, StateTtl ttl)
    : TtlPerKeyTable<TKey, List<Stamped<T>>>(name, keys, ttl), IListState<T>
    where TKey : notnull
{
    private readonly IRecordCodec<T> _codec = RecordCodec.For<T>();

    public IReadOnlyList<T> Get()
    {
        if (!Table.TryGetValue(CurrentKey, out var list))
        {
            return Array.Empty<T>();
        }

        long now = Ttl.Now;
        if (!Ttl.ReturnExpired && RemoveExpired(CurrentKey, list, now))
        {
            return Array.Empty<T>();
        }

        var values = new T[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            values[i] = list[i].Value;
            if (Ttl.RefreshOnRead)
            {
                list[i] = list[i] with { Time = now };
            }
        }

        return values;
    }

    public void Add(T value) => ListOfCurrentKey().Add(new(value, Ttl.Now));

    public void AddAll(IEnumerable<T> values)
    {
        long now = Ttl.Now;
        ListOfCurrentKey().AddRange(values.Select(value => new Stamped<T>(value, now)));
    }

    public void Update(IEnumerable<T> values)
    {
        Clear();
        AddAll(values);
        if (Table.TryGetValue(CurrentKey, out var list) && list.Count == 0)
        {
            Table.Remove(CurrentKey);
        }
    }

    public void Clear() => Table.Remove(CurrentKey);


    protected override void WriteState(PayloadWriter writer, List<Stamped<T>> state)
    {
        writer.WriteVarInt32(state.Count);
        foreach (var element in state)
        {
            Ttl.Write(writer, _codec, element);
        }
    }

    protected override List<Stamped<T>> ReadState(ref PayloadReader reader)
    {
        int count = reader.ReadVarInt32();
        var list = new List<Stamped<T>>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(Ttl.Read(ref reader, _codec));
        }

        return list;
    }

    protected override bool RemoveExpired(TKey key, List<Stamped<T>> list, long now)
    {
        list.RemoveAll(element => Ttl.IsExpired(element.Time, now));
        if (list.Count > 0)
        {
            return false;
        }

        Table.Remove(key);
        return true;
    }

    private List<Stamped<T>> ListOfCurrentKey()
    {
        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(Table, CurrentKey, out _);
        return list ??= new List<Stamped<T>>();
    }
}

/// <summary><see cref="IMapState{TUserKey, TUserValue}"/> whose entries each have a time to live.</summary>
internal sealed class TtlMapStateTable<TKey, TUserKey, TUserValue>(string name, IKeyContext<TKey> keys, StateTtl ttl)
    : TtlPerKeyTable<TKey, Dictionary<TUserKey, Stamped<TUserValue>>>(name, keys, ttl), IMapState<TUserKey, TUserValue>
    where TKey : notnull
    where TUserKey : notnull
{
    private readonly IRecordCodec<TUserKey> _userKeyCodec = RecordCodec.For<TUserKey>();
    private readonly IRecordCodec<TUserValue> _userValueCodec = RecordCodec.For<TUserValue>();

    public IEnumerable<KeyValuePair<TUserKey, TUserValue>> Entries
    {
        get
        {
            if (LiveMapOfCurrentKey() is not { } map)
            {
                return Enumerable.Empty<KeyValuePair<TUserKey, TUserValue>>();
            }

            var entries = map.Select(entry => new KeyValuePair<TUserKey, TUserValue>(entry.Key, entry.Value.Value)).ToList();
            if (Ttl.RefreshOnRead)
            {
                long now = Ttl.Now;
                foreach (var (key, _) in entries)
                {
                    ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(map, key);
                    entry = entry with { Time = now };
                }
            }

            return entries;
        }
    }

    public bool IsEmpty => LiveMapOfCurrentKey() is null;

    public bool TryGetValue(TUserKey key, out TUserValue value)
    {
        value = default!;
        if (!Table.TryGetValue(CurrentKey, out var map) || !map.TryGetValue(key, out var entry))
        {
            return false;
        }

        long now = Ttl.Now;
        if (Ttl.IsExpired(entry.Time, now) && !Ttl.ReturnExpired)
        {
            Remove(key);
            return false;
        }

        if (Ttl.RefreshOnRead)
        {
            map[key] = entry with { Time = now };
        }

        value = entry.Value;
        return true;
    }

    public bool Contains(TUserKey key) => TryGetValue(key, out _);

    public void Put(TUserKey key, TUserValue value)
    {
        ref var map = ref CollectionsMarshal.GetValueRefOrAddDefault(Table, CurrentKey, out _);
        (map ??= new Dictionary<TUserKey, Stamped<TUserValue>>())[key] = new(value, Ttl.Now);
    }

    public bool Remove(TUserKey key)
    {
        if (!Table.TryGetValue(CurrentKey, out var map) || !map.Remove(key))
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


    protected override void WriteState(PayloadWriter writer, Dictionary<TUserKey, Stamped<TUserValue>> state)
    {
        writer.WriteVarInt32(state.Count);
        foreach (var (key, value) in state)
        {
            _userKeyCodec.Write(writer, key);
            Ttl.Write(writer, _userValueCodec, value);
        }
    }

    protected override Dictionary<TUserKey, Stamped<TUserValue>> ReadState(ref PayloadReader reader)
    {
        int count = reader.ReadVarInt32();
        var map = new Dictionary<TUserKey, Stamped<TUserValue>>(count);
        for (int i = 0; i < count; i++)
        {
            var key = _userKeyCodec.Read(ref reader);
            map[key] = Ttl.Read(ref reader, _userValueCodec);
        }

        return map;
    }

    /// <summary>The current key's map with its expired entries dropped (unless expired entries stay visible); null when none is left.</summary>
    private Dictionary<TUserKey, Stamped<TUserValue>>? LiveMapOfCurrentKey()
    {
        if (!Table.TryGetValue(CurrentKey, out var map))
        {
            return null;
        }

        return Ttl.ReturnExpired || !RemoveExpired(CurrentKey, map, Ttl.Now) ? map : null;
    }

    protected override bool RemoveExpired(TKey key, Dictionary<TUserKey, Stamped<TUserValue>> map, long now)
    {
        foreach (var (userKey, entry) in map)
        {
            if (Ttl.IsExpired(entry.Time, now))
            {
                map.Remove(userKey);
            }
        }

        if (map.Count > 0)
        {
            return false;
        }

        Table.Remove(key);
        return true;
    }
}
