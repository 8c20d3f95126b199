namespace OrleansStream.Runtime.Storage;

/// <summary>Names shared by the grains that persist state and the silo configuration that provides it.</summary>
public static class OrleansStreamStorage
{
    /// <summary>
    /// The grain storage provider OrleansStream's grains write to: checkpoint snapshots and job state,
    /// as in <c>[PersistentState("job", OrleansStreamStorage.ProviderName)]</c>. A silo provides it with
    /// one of <c>AddOrleansStreamSqliteStorage</c>, <c>AddOrleansStreamPostgresStorage</c> or
    /// <c>AddOrleansStreamMemoryStorage</c>.
    /// </summary>
    /// <remarks>
    /// The ADO.NET provider keys a state by the grain's key and the state name only, not by the grain
    /// type: two grain types that share a key must use different state names.
    /// </remarks>
    public const string ProviderName = "orleansstream";
}
