namespace OrleansStream.State;

/// <summary>One value per key (Flink's ValueState), scoped to the key of the record being processed.</summary>
public interface IValueState<T>
{
    /// <summary>The current key's value, or default when it has none.</summary>
    T? Value { get; }

    bool TryGetValue(out T value);

    void Update(T value);

    void Clear();
}

/// <summary>A list per key (Flink's ListState), scoped to the key of the record being processed.</summary>
public interface IListState<T>
{
    /// <summary>The current key's elements in insertion order; empty when it has none.</summary>
    IReadOnlyList<T> Get();

    void Add(T value);

    void AddAll(IEnumerable<T> values);

    /// <summary>Replaces the current key's elements.</summary>
    void Update(IEnumerable<T> values);

    void Clear();
}

/// <summary>A map per key (Flink's MapState), scoped to the key of the record being processed.</summary>
public interface IMapState<TUserKey, TUserValue>
    where TUserKey : notnull
{
    bool TryGetValue(TUserKey key, out TUserValue value);

    bool Contains(TUserKey key);

    void Put(TUserKey key, TUserValue value);

    bool Remove(TUserKey key);

    /// <summary>The current key's entries; empty when it has none.</summary>
    IEnumerable<KeyValuePair<TUserKey, TUserValue>> Entries { get; }

    bool IsEmpty { get; }

    void Clear();
}
