using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansStream.Runtime.Storage;

namespace OrleansStream.Runtime.Hosting;

/// <summary>
/// Durable state for a silo: the grain storage named <see cref="OrleansStreamStorage.ProviderName"/>
/// (checkpoint snapshots, job state), reminders and cluster membership, on SQLite or PostgreSQL
/// through Orleans' ADO.NET providers. Each extension registers OrleansStream's SQL schema for its
/// database, applied when the silo starts and before the provider first reads it.
/// </summary>
public static class OrleansStreamStorageExtensions
{
    /// <summary>
    /// Keeps grain state in a SQLite file: durable storage on one machine, nothing to install. The
    /// file and its directory are created at start-up if missing. Use one storage extension per silo.
    /// </summary>
    public static ISiloBuilder AddOrleansStreamSqliteStorage(this ISiloBuilder builder, string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        return builder.AddAdoNetStorage(SqlDialect.Sqlite, AdoNetInvariants.Sqlite, SqliteConnectionStrings.ForDatabaseFile(databasePath));
    }

    /// <summary>Keeps grain state in PostgreSQL (15 or later): the storage of a cluster. Use one storage extension per silo.</summary>
    public static ISiloBuilder AddOrleansStreamPostgresStorage(this ISiloBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddAdoNetStorage(SqlDialect.PostgreSql, AdoNetInvariants.PostgreSql, connectionString);
    }

    /// <summary>Keeps grain state in the silo's memory: for tests and demos, lost when the silo stops.</summary>
    public static ISiloBuilder AddOrleansStreamMemoryStorage(this ISiloBuilder builder)
    {
        EnsureNoStorageYet(builder.Services);
        builder.AddMemoryGrainStorage(OrleansStreamStorage.ProviderName);
        UseBinarySerializer(builder.Services);
        return builder;
    }

    /// <summary>Keeps reminders (which keep job grains supervising) in PostgreSQL.</summary>
    public static ISiloBuilder AddOrleansStreamPostgresReminders(this ISiloBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.UseAdoNetReminderService(options =>
        {
            options.Invariant = AdoNetInvariants.PostgreSql;
            options.ConnectionString = connectionString;
        });
        AddSchema(builder.Services, new SqlSchemaTarget(SqlDialect.PostgreSql, connectionString, SqlSchemaParts.Reminders));
        return builder;
    }

    /// <summary>Makes the silo find the others of its cluster (same ClusterId) through a membership table in PostgreSQL.</summary>
    public static ISiloBuilder AddOrleansStreamPostgresClustering(this ISiloBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.UseAdoNetClustering(options =>
        {
            options.Invariant = AdoNetInvariants.PostgreSql;
            options.ConnectionString = connectionString;
        });
        AddSchema(builder.Services, new SqlSchemaTarget(SqlDialect.PostgreSql, connectionString, SqlSchemaParts.Clustering));
        return builder;
    }

    private static ISiloBuilder AddAdoNetStorage(this ISiloBuilder builder, SqlDialect dialect, string invariant, string connectionString)
    {
        EnsureNoStorageYet(builder.Services);
        builder.AddAdoNetGrainStorage(OrleansStreamStorage.ProviderName, (AdoNetGrainStorageOptions options) =>
        {
            options.Invariant = invariant;
            options.ConnectionString = connectionString;
            // A cleared state leaves no row behind: a deleted checkpoint's snapshot is gone, not nulled.
            options.DeleteStateOnClear = true;
        });
        UseBinarySerializer(builder.Services);
        AddSchema(builder.Services, new SqlSchemaTarget(dialect, connectionString, SqlSchemaParts.GrainStorage));
        return builder;
    }

    /// <summary>
    /// Orleans' default grain storage serializer is JSON (Newtonsoft), which would store a snapshot's
    /// byte[] as base64 text, a third larger and slower. Our provider uses Orleans' binary serializer
    /// instead: compact, fast, and version-tolerant for [GenerateSerializer] types with [Id] members.
    /// The provider picks up a serializer registered under its own name.
    /// </summary>
    private static void UseBinarySerializer(IServiceCollection services)
        => services.TryAddKeyedSingleton<IGrainStorageSerializer>(
            OrleansStreamStorage.ProviderName,
            (provider, _) => new OrleansGrainStorageSerializer(provider.GetRequiredService<Serializer>()));

    /// <summary>A second registration under the same name would silently replace the first for grains but still start both.</summary>
    private static void EnsureNoStorageYet(IServiceCollection services)
    {
        if (services.Any(service => service.IsKeyedService && service.ServiceType == typeof(IGrainStorage) && Equals(service.ServiceKey, OrleansStreamStorage.ProviderName)))
        {
            throw new InvalidOperationException($"The '{OrleansStreamStorage.ProviderName}' grain storage is already configured: call only one of AddOrleansStreamSqliteStorage, AddOrleansStreamPostgresStorage and AddOrleansStreamMemoryStorage.");
        }
    }

    private static void AddSchema(IServiceCollection services, SqlSchemaTarget target)
    {
        services.AddSingleton(target);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, SqlSchemaInitializer>());
    }
}
