using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Silo;

const string MemoryStreamProvider = "memory";

// appsettings.json (the one next to the binary, wherever the silo is started from), environment
// variables and the command line are the host's defaults. The ORLEANSSTREAM_ variables go on top,
// and the command line once more so that it still wins.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddOrleansStreamEnvironmentVariables();
builder.Configuration.AddCommandLine(args);

var section = builder.Configuration.GetSection(SiloSettings.SectionName);
var settings = section.Get<SiloSettings>() ?? new SiloSettings();
var primarySilo = await settings.ResolvePrimarySiloEndpointAsync(CancellationToken.None);

// Only providers this silo registers can carry task channels; a typo should stop the silo, not the first job.
builder.Services.AddOptions<OrleansStreamOptions>().Validate(
    options => options.StreamProvider is OrleansStreamOptions.DefaultStreamProvider or MemoryStreamProvider,
    $"OrleansStream: StreamProvider must be \"{OrleansStreamOptions.DefaultStreamProvider}\" or \"{MemoryStreamProvider}\".");

builder.UseOrleans(silo =>
{
    // Development clustering: every silo joins the primary and advertises loopback. PostgreSQL
    // (ADO.NET) clustering for silos on several machines comes in a later issue.
    silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, primarySilo, settings.ServiceId, settings.ClusterId);
    silo.AddOrleansStream(options => section.Bind(options));
    silo.AddMemoryChannelStreams(MemoryStreamProvider);
    // Checkpoints, savepoints and job state outlive the silo in a SQLite file (silos on one machine may
    // share it). PostgreSQL storage, reminders and clustering for silos on several machines come with
    // the cluster issue; until then reminders are in memory.
    silo.AddOrleansStreamSqliteStorage(section["StateDatabase"] ?? "orleansstream-state.db");
    silo.UseInMemoryReminderService();
    silo.UseTaskSlots(section.GetValue("Slots", Environment.ProcessorCount));
});

using var host = builder.Build();
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansStream.Silo");
logger.LogInformation(
    "Starting OrleansStream silo: cluster {ClusterId}, service {ServiceId}, silo port {SiloPort}, gateway port {GatewayPort}, primary silo {PrimarySilo}, {Slots} task slots, stream provider {StreamProvider}.",
    settings.ClusterId, settings.ServiceId, settings.SiloPort, settings.GatewayPort, primarySilo,
    host.Services.GetRequiredService<IOptions<SlotOptions>>().Value.Slots,
    host.Services.GetRequiredService<IOptions<OrleansStreamOptions>>().Value.StreamProvider);

// The generic host stops the silo gracefully on Ctrl+C and SIGTERM.
await host.StartAsync();
logger.LogInformation("OrleansStream silo started; gateway on port {GatewayPort}.", settings.GatewayPort);
await host.WaitForShutdownAsync();
