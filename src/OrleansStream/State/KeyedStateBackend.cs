using OrleansStream.KeyGroups;

namespace OrleansStream.State;

/// <summary>
/// The keyed state of one operator instance (Flink's heap keyed state backend): named tables of
/// values, lists and maps per key, read and written for the key of the record being processed.
/// </summary>
public sealed class KeyedStateBackend<TKey> : IKeyContext<TKey>
    where TKey : notnull
{
    private readonly OperatorStateStore _store;
    private readonly int _maxParallelism;

    internal KeyedStateBackend(OperatorStateStore store, int maxParallelism)
    {
        _store = store;
        _maxParallelism = maxParallelism;
    }

    /// <summary>The key whose state the states read and write; set by the operator for each record.</summary>
    public TKey CurrentKey { get; private set; } = default!;

    public void SetCurrentKey(TKey key) => CurrentKey = key;

    public int KeyGroupOf(TKey key) => KeyGroupRangeAssignment.AssignToKeyGroup(StableKeyHash<TKey>.Hash(key), _maxParallelism);

    public IValueState<T> GetValueState<T>(string name) => GetOrCreate(name, () => new ValueStateTable<TKey, T>(name, this));

    public IListState<T> GetListState<T>(string name) => GetOrCreate(name, () => new ListStateTable<TKey, T>(name, this));

    public IMapState<TUserKey, TUserValue> GetMapState<TUserKey, TUserValue>(string name)
        where TUserKey : notnull
        => GetOrCreate(name, () => new MapStateTable<TKey, TUserKey, TUserValue>(name, this));

    /// <summary>A value per key, with a time to live on <paramref name="clock"/> when <paramref name="ttl"/> is set.</summary>
    public IValueState<T> GetValueState<T>(string name, StateTtlConfig? ttl, TimeProvider clock)
        => ttl is null ? GetValueState<T>(name) : GetOrCreate(name, () => new TtlValueStateTable<TKey, T>(name, this, new StateTtl(ttl, clock)));

    /// <summary>A list per key, each element with a time to live on <paramref name="clock"/> when <paramref name="ttl"/> is set.</summary>
    public IListState<T> GetListState<T>(string name, StateTtlConfig? ttl, TimeProvider clock)
        => ttl is null ? GetListState<T>(name) : GetOrCreate(name, () => new TtlListStateTable<TKey, T>(name, this, new StateTtl(ttl, clock)));

    /// <summary>A map per key, each entry with a time to live on <paramref name="clock"/> when <paramref name="ttl"/> is set.</summary>
    public IMapState<TUserKey, TUserValue> GetMapState<TUserKey, TUserValue>(string name, StateTtlConfig? ttl, TimeProvider clock)
        where TUserKey : notnull
        => ttl is null
            ? GetMapState<TUserKey, TUserValue>(name)
            : GetOrCreate(name, () => new TtlMapStateTable<TKey, TUserKey, TUserValue>(name, this, new StateTtl(ttl, clock)));

    /// <summary>
    /// Calls <paramref name="function"/> once for every key that has a value in the state <paramref name="stateName"/>,
    /// with that key current; the current key is restored afterwards.
    /// </summary>
    public void ApplyToAllKeys(string stateName, Action<TKey> function)
    {
        if (!_store.TryGetTable(stateName, out var table))
        {
            if (_store.HasUnclaimedState(stateName))
            {
                throw new InvalidOperationException(
                    $"Operator '{_store.OperatorId}' applies a function to every key of its state '{stateName}', which was restored but not asked for yet: ask for the state in Open, so that its restored keys are there.");
            }

            return;
        }

        var keys = (table as IKeyedStateKeys<TKey>)?.Keys.ToList() ?? throw new InvalidOperationException(
            $"Operator '{_store.OperatorId}' cannot list the keys of its state '{stateName}' ({table.GetType().Name}).");
        var current = CurrentKey;
        foreach (var key in keys)
        {
            SetCurrentKey(key);
            function(key);
        }

        SetCurrentKey(current);
    }

    /// <summary>Removes every expired entry of the states with a time to live from memory.</summary>
    public void SweepExpiredState(long now)
    {
        foreach (var table in _store.Tables)
        {
            (table as ITtlStateTable)?.Sweep(now);
        }
    }

    /// <summary>
    /// Removes the expired entries of at most <paramref name="budget"/> more keys of each state with a time to
    /// live (Flink's incremental cleanup): called on every clock tick, it goes round the tables a little at a
    /// time instead of stalling the task for a whole pass.
    /// </summary>
    public void SweepExpiredStateIncrementally(long now, int budget)
    {
        foreach (var table in _store.Tables)
        {
            (table as ITtlStateTable)?.SweepSome(now, budget);
        }
    }

    /// <summary>Accumulators per key and window end, for window operators.</summary>
    public WindowStateTable<TKey, TAcc> GetWindowState<TAcc>(string name) => GetOrCreate(name, () => new WindowStateTable<TKey, TAcc>(name, KeyGroupOf));

    /// <summary>The operator's timers in the namespace type <typeparamref name="TNamespace"/>, stored as keyed state named <paramref name="name"/>.</summary>
    public InternalTimerService<TKey, TNamespace> GetTimerService<TNamespace>(string name)
        => GetOrCreate(name, () => new InternalTimerService<TKey, TNamespace>(name, this, Codecs.RecordCodec.For<TNamespace>()));

    private TState GetOrCreate<TState>(string name, Func<TState> create)
        where TState : class, IKeyedStateTable
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_store.TryGetTable(name, out var existing))
        {
            return existing as TState ?? throw new InvalidOperationException(
                $"Operator '{_store.OperatorId}' already has a state named '{name}' of another kind ({existing.GetType().Name}).");
        }

        var table = create();
        _store.AddTable(table);
        return table;
    }
}
