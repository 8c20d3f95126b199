using System.Net;

namespace OrleansStream.Silo;

/// <summary>How silos find each other: the primary silo on one machine, or a PostgreSQL membership table.</summary>
public enum ClusteringKind
{
    Localhost,
    Postgres,
}

/// <summary>Where checkpoints, savepoints and job state are kept.</summary>
public enum StorageKind
{
    Sqlite,
    Postgres,
    Memory,
}

/// <summary>Where the reminders that keep job grains supervising are kept.</summary>
public enum RemindersKind
{
    Memory,
    Postgres,
}

/// <summary>
/// The silo's clustering, storage and reminders as checked at start: every value known, and a
/// PostgreSQL connection string whenever one of them is <c>postgres</c>; and Orleans' Kubernetes hosting when it is on.
/// </summary>
public sealed record SiloBackends(
    ClusteringKind Clustering,
    StorageKind Storage,
    RemindersKind Reminders,
    string? Postgres,
    string StateDatabase,
    IPAddress AdvertisedAddress,
    KubernetesHosting? Kubernetes = null)
{
    /// <summary>
    /// Where the health endpoints listen: <c>HealthAddress</c>, else where the silo's own ports do (loopback for a silo
    /// that advertises loopback, every address otherwise), so that a silo kept to this machine opens no port beyond it.
    /// </summary>
    public IPAddress HealthAddress { get; init; } = AdvertisedAddress.Equals(IPAddress.Loopback) ? IPAddress.Loopback : IPAddress.Any;

    /// <summary>The connection string, which the caller may only ask for when something is on PostgreSQL.</summary>
    public string PostgresConnectionString
        => Postgres ?? throw new InvalidOperationException("No PostgreSQL connection string was configured.");

    /// <summary>
    /// Checks the settings and reads them into kinds. Throws <see cref="OrleansConfigurationException"/>
    /// naming the setting, so a typo stops the silo at start rather than the first job.
    /// </summary>
    /// <param name="settings">The <c>OrleansStream</c> section.</param>
    /// <param name="environment">Environment variables by name (the pod's downward-API variables); unset, the process's.</param>
    public static SiloBackends From(SiloSettings settings, Func<string, string?>? environment = null)
    {
        var clustering = Parse<ClusteringKind>(nameof(SiloSettings.Clustering), settings.Clustering);
        var storage = Parse<StorageKind>(nameof(SiloSettings.Storage), settings.Storage);
        var reminders = Parse<RemindersKind>(nameof(SiloSettings.Reminders), settings.Reminders);
        var postgres = string.IsNullOrWhiteSpace(settings.Postgres) ? null : settings.Postgres;

        var needsPostgres = new List<string>();
        if (clustering == ClusteringKind.Postgres) needsPostgres.Add(nameof(SiloSettings.Clustering));
        if (storage == StorageKind.Postgres) needsPostgres.Add(nameof(SiloSettings.Storage));
        if (reminders == RemindersKind.Postgres) needsPostgres.Add(nameof(SiloSettings.Reminders));
        if (needsPostgres.Count > 0 && postgres is null)
        {
            throw new OrleansConfigurationException(
                $"{SiloSettings.SectionName}:{string.Join(", ", needsPostgres)} is \"postgres\" but no connection string is set: set {SiloSettings.SectionName}:{nameof(SiloSettings.Postgres)} (environment ORLEANSSTREAM_POSTGRES).");
        }

        if (string.IsNullOrWhiteSpace(settings.StateDatabase))
        {
            throw new OrleansConfigurationException($"{SiloSettings.SectionName}:{nameof(SiloSettings.StateDatabase)} must not be empty.");
        }

        IPAddress advertised = IPAddress.Loopback;
        if (!string.IsNullOrWhiteSpace(settings.AdvertisedAddress) && !IPAddress.TryParse(settings.AdvertisedAddress, out advertised!))
        {
            throw new OrleansConfigurationException($"{SiloSettings.SectionName}:{nameof(SiloSettings.AdvertisedAddress)} must be an IP address, was \"{settings.AdvertisedAddress}\".");
        }

        if (settings.ShutdownTimeout <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"{SiloSettings.SectionName}:{nameof(SiloSettings.ShutdownTimeout)} must be positive, was {settings.ShutdownTimeout}.");
        }

        var kubernetes = KubernetesHosting.From(settings, clustering, environment ?? Environment.GetEnvironmentVariable);
        var backends = new SiloBackends(clustering, storage, reminders, postgres, settings.StateDatabase, kubernetes?.PodAddress ?? advertised, kubernetes);
        if (string.IsNullOrWhiteSpace(settings.HealthAddress))
        {
            return backends;
        }

        return IPAddress.TryParse(settings.HealthAddress, out var health)
            ? backends with { HealthAddress = health }
            : throw new OrleansConfigurationException($"{SiloSettings.SectionName}:{nameof(SiloSettings.HealthAddress)} must be an IP address, was \"{settings.HealthAddress}\".");
    }

    private static T Parse<T>(string setting, string? value)
        where T : struct, Enum
    {
        // Enum.TryParse also takes numbers; only the documented names are accepted.
        if (value is not null && !value.Any(char.IsDigit) && Enum.TryParse<T>(value.Trim(), ignoreCase: true, out var kind) && Enum.IsDefined(kind))
        {
            return kind;
        }

        var allowed = string.Join(" | ", Enum.GetNames<T>().Select(name => name.ToLowerInvariant()));
        throw new OrleansConfigurationException($"{SiloSettings.SectionName}:{setting} must be {allowed}, was \"{value}\".");
    }
}
