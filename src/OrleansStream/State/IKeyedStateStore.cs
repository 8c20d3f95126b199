namespace OrleansStream.State;

/// <summary>
/// Where a keyed function gets its state (Flink's getRuntimeContext().getState(descriptor)): named values,
/// lists and maps, each scoped to the key of the element or timer being processed. Ask once, in the
/// function's Open, and keep the handle; the same name gives the same state.
/// </summary>
public interface IKeyedStateStore
{
    IValueState<T> GetValueState<T>(string name, StateTtlConfig? ttl = null);

    IListState<T> GetListState<T>(string name, StateTtlConfig? ttl = null);

    IMapState<TUserKey, TUserValue> GetMapState<TUserKey, TUserValue>(string name, StateTtlConfig? ttl = null)
        where TUserKey : notnull;
}
