using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace OrleansStream.Runtime.Storage;

/// <summary>Finds the grain storage OrleansStream keeps its durable state in (checkpoints, job records, uploaded job assemblies).</summary>
internal static class GrainStorageLookup
{
    public static IGrainStorage Find(IServiceProvider services, string providerName)
        => services.GetKeyedService<IGrainStorage>(providerName)
            ?? throw new InvalidOperationException(
                $"No grain storage named '{providerName}' is registered on this silo; OrleansStream keeps checkpoints, job state and uploaded job assemblies there. " +
                "Call AddOrleansStreamSqliteStorage, AddOrleansStreamPostgresStorage or AddOrleansStreamMemoryStorage on the silo builder.");
}
