using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Topology.Document;
using OrleansStream.Runtime.Security;
using OrleansStream.Silo;
using OrleansStream.Topology.Hosting;

const string MemoryStreams = "memory";

// appsettings.json (the one next to the binary, wherever the silo is started from), environment
// variables and the command line are the host's defaults. The ORLEANSSTREAM_ variables go on top,
// and the command line once more so that it still wins.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddOrleansStreamEnvironmentVariables();
builder.Configuration.AddCommandLine(args);

var section = builder.Configuration.GetSection(SiloSettings.SectionName);
var settings = section.Get<SiloSettings>() ?? new SiloSettings();
SiloBackends backends;
System.Net.IPEndPoint primarySilo;
try
{
    backends = SiloBackends.From(settings);
    primarySilo = await settings.ResolvePrimarySiloEndpointAsync(CancellationToken.None);
}
catch (OrleansConfigurationException ex)
{
    return NotStarted(ex);
}

// Only providers this silo registers can carry task channels; a typo should stop the silo, not the first job.
builder.Services.AddOptions<OrleansStreamOptions>().Validate(
    options => options.ChannelTransport is OrleansStreamOptions.DefaultChannelTransport or MemoryStreams,
    $"OrleansStream: ChannelTransport must be \"{OrleansStreamOptions.DefaultChannelTransport}\" or \"{MemoryStreams}\".");

if (settings.HealthPort is { } healthPort)
{
    // Registered before the silo: hosted services start in order and stop in reverse, so the probes answer
    // while the silo starts (not ready) and while it leaves (not ready, shutting down), not only in between.
    var healthEndpoint = new System.Net.IPEndPoint(backends.HealthAddress, healthPort);
    builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<SiloHealthEndpoints>(services, healthEndpoint));
}

var security = section.GetSection("Security").Get<SecurityOptions>() ?? new SecurityOptions();
var tls = section.GetSection("Tls").Get<TlsSettings>() ?? new TlsSettings();
try
{
    ConfigureSilo();
}
catch (OrleansConfigurationException ex)
{
    return NotStarted(ex);
}

void ConfigureSilo() => builder.UseOrleans(silo =>
{
    // TLS and caller checks first: a silo that cannot read its certificate or principals does not start at all.
    silo.UseOrleansStreamTls(tls);
    silo.AddOrleansStreamSecurity(security);

    switch (backends.Clustering)
    {
        case ClusteringKind.Localhost:
            // Development clustering: every silo joins the primary and advertises loopback.
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primarySilo, settings.ServiceId, settings.ClusterId);
            break;
        case ClusteringKind.Postgres:
            silo.AddOrleansStreamPostgresClustering(backends.PostgresConnectionString);
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = settings.ClusterId;
                options.ServiceId = settings.ServiceId;
            });
            // The membership table holds the advertised address; loopback keeps a one-machine
            // cluster working without naming an interface.
            silo.ConfigureEndpoints(backends.AdvertisedAddress, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !backends.AdvertisedAddress.Equals(System.Net.IPAddress.Loopback));
            break;
    }

    // In a pod: membership watches the pods, so a silo whose pod is deleted is declared dead at once.
    backends.Kubernetes?.AddTo(silo);

    // Orleans' defaults (probe timeout 5 s, 3 missed probes) suit production; tests and demos that
    // kill silos shorten them here (e.g. --OrleansStream:Membership:ProbeTimeout=00:00:00.5).
    silo.Configure<ClusterMembershipOptions>(section.GetSection("Membership"));
    // Likewise Orleans' ReminderOptions: a JobReminderPeriod under a minute needs a smaller MinimumReminderPeriod.
    silo.Configure<ReminderOptions>(section.GetSection("ReminderService"));
    silo.AddOrleansStream(options => section.Bind(options));
    silo.AddOrleansStreamTopologies(section.GetSection("Topology").Get<TopologyLimits>());
    silo.AddMemoryChannelStreams(MemoryStreams);
    // Checkpoints, savepoints and job state outlive the silo in a SQLite file (silos on one machine
    // may share it) or in PostgreSQL (silos on several machines).
    switch (backends.Storage)
    {
        case StorageKind.Sqlite:
            silo.AddOrleansStreamSqliteStorage(backends.StateDatabase);
            break;
        case StorageKind.Postgres:
            silo.AddOrleansStreamPostgresStorage(backends.PostgresConnectionString);
            break;
        case StorageKind.Memory:
            silo.AddOrleansStreamMemoryStorage();
            break;
    }

    switch (backends.Reminders)
    {
        case RemindersKind.Memory:
            silo.UseInMemoryReminderService();
            break;
        case RemindersKind.Postgres:
            silo.AddOrleansStreamPostgresReminders(backends.PostgresConnectionString);
            break;
    }

    silo.UseTaskSlots(section.GetValue("Slots", Environment.ProcessorCount));
});

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansStream.Silo");
logger.LogInformation(
    "Starting OrleansStream silo: cluster {ClusterId}, service {ServiceId}, clustering {Clustering}{Kubernetes}, storage {Storage}, reminders {Reminders}, silo port {SiloPort}, gateway port {GatewayPort}, primary silo {PrimarySilo}, {Slots} task slots, channel transport {ChannelTransport}.",
    settings.ClusterId, settings.ServiceId, backends.Clustering,
    backends.Kubernetes is null ? "" : $" with Kubernetes hosting (pod address {backends.AdvertisedAddress})",
    backends.Storage, backends.Reminders, settings.SiloPort, settings.GatewayPort,
    backends.Clustering == ClusteringKind.Localhost ? primarySilo : "(from the membership table)",
    host.Services.GetRequiredService<IOptions<SlotOptions>>().Value.Slots,
    host.Services.GetRequiredService<IOptions<OrleansStreamOptions>>().Value.ChannelTransport);

if (backends.Kubernetes is { } kubernetes)
{
    try
    {
        await kubernetes.CheckPermissionsAsync(CancellationToken.None);
    }
    catch (OrleansConfigurationException ex)
    {
        return NotStarted(ex);
    }
}

// The generic host stops the silo gracefully on Ctrl+C and SIGTERM: the silo leaves the membership
// and hands its grains over instead of being found dead by probes. Logged, so that an operator
// can tell a graceful stop from a crash; bounded, so that it ends within a pod's grace period.
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
{
    logger.LogInformation("OrleansStream silo stopping gracefully (shutdown signal).");
    ShutdownDeadline.Start(settings.ShutdownTimeout, logger);
});
await host.StartAsync();
logger.LogInformation("OrleansStream silo started; gateway on port {GatewayPort}.", settings.GatewayPort);
await host.WaitForShutdownAsync();
logger.LogInformation("OrleansStream silo stopped.");
return 0;

// A bad setting is the operator's to fix: one line naming it, not a stack trace, and exit code 2.
static int NotStarted(OrleansConfigurationException ex)
{
    Console.Error.WriteLine($"OrleansStream silo not started: {ex.Message}");
    return 2;
}
