using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansStream.Silo;

/// <summary>
/// Whether this silo is alive and whether it is ready for work, as Kubernetes probes ask: live
/// while its runtime runs and membership has not declared it dead; ready while it is an active
/// member and not shutting down (so that no new work is routed to a silo that is leaving).
/// </summary>
internal sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo, IHostApplicationLifetime lifetime, bool readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        var result = (readiness, status) switch
        {
            (_, SiloStatus.Dead) => HealthCheckResult.Unhealthy($"membership declared silo {silo.SiloAddress} dead"),
            (true, _) when lifetime.ApplicationStopping.IsCancellationRequested => HealthCheckResult.Unhealthy("the silo is shutting down"),
            (true, not SiloStatus.Active) => HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {status}, not yet an active member"),
            _ => HealthCheckResult.Healthy($"silo {silo.SiloAddress} is {status}"),
        };
        return Task.FromResult(result);
    }
}

/// <summary>
/// Serves <c>/health/live</c> and <c>/health/ready</c> over HTTP on the silo's health port, next
/// to the silo in the same process (a small Kestrel host of its own, so that a silo without a
/// health port opens no HTTP port at all).
/// </summary>
internal sealed class SiloHealthEndpoints(IServiceProvider silo, IPEndPoint endpoint, ILogger<SiloHealthEndpoints> logger) : IHostedService, IAsyncDisposable
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private WebApplication? _web;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.AddHealthChecks()
            .AddCheck("live", Check(readiness: false), tags: ["live"])
            .AddCheck("ready", Check(readiness: true), tags: ["ready"]);
        _web = builder.Build();
        _web.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        _web.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        await _web.StartAsync(cancellationToken);
        logger.LogInformation("Health endpoints on {Endpoint}: {Live}, {Ready}", endpoint, LivePath, ReadyPath);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_web is not null)
        {
            await _web.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }
    }

    private SiloHealthCheck Check(bool readiness) => new(
        silo.GetRequiredService<IClusterMembershipService>(),
        silo.GetRequiredService<ILocalSiloDetails>(),
        silo.GetRequiredService<IHostApplicationLifetime>(),
        readiness);
}
