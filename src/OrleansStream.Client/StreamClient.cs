using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Cluster;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Rescaling;
using OrleansStream.Contracts.Security;

namespace OrleansStream.Client;

/// <summary>
/// A connection to an OrleansStream cluster (an Orleans client). <see cref="ConnectAsync"/> makes
/// one; <see cref="StreamClient(IGrainFactory)"/> wraps a client (or a silo's grain factory) the application already has.
/// </summary>
public sealed class StreamClient : IStreamClient, IAsyncDisposable
{
    private static readonly TimeSpan SlotQueryTimeout = TimeSpan.FromSeconds(2);
    private readonly IHost? _host;
    private readonly IGrainFactory _cluster;
    private readonly StreamJobClient _jobs;
    private readonly string _where;

    public StreamClient(IGrainFactory cluster)
        : this(cluster, host: null, where: "the cluster")
    {
    }

    private StreamClient(IGrainFactory cluster, IHost? host, string where)
    {
        _cluster = cluster;
        _host = host;
        _where = where;
        _jobs = new StreamJobClient(cluster);
    }

    /// <summary>Connects to the cluster; throws <see cref="ClusterUnavailableException"/> when no gateway answers.</summary>
    public static async Task<StreamClient> ConnectAsync(StreamClientOptions options, CancellationToken cancellationToken = default, Action<ILoggingBuilder>? logging = null)
    {
        var host = new HostBuilder()
            .ConfigureLogging(builder =>
            {
                // Standard output belongs to the application; the client's own complaints go to standard error.
                builder.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Error);

                // A host that fails to start is this method's exception, said once in one line; not a logged stack trace too.
                builder.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
                logging?.Invoke(builder);
            })
            .ConfigureServices(services => services.AddSingleton<IHostLifetime, ClientHostLifetime>())
            .UseOrleansClient(client => Configure(client, options))
            .Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (IsConnectionFailure(ex) || ex is TimeoutException || ex is NpgsqlException)
        {
            // An unreachable membership database (--postgres) is as much "no cluster" as an unreachable gateway.
            host.Dispose();
            throw new ClusterUnavailableException(
                $"No OrleansStream cluster reachable at {options.Description}: {Reason(ex)} (cluster id '{options.ClusterId}', service id '{options.ServiceId}'). Start a silo, or check the gateway, the ids and TLS (the authority of the silos' certificates, and a client certificate where they require one).",
                ex);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new StreamClient(host.Services.GetRequiredService<IClusterClient>(), host, options.Description);
    }

    public Task<JobStatus> SubmitAsync(JobSubmission submission, string? jobId = null, CancellationToken cancellationToken = default)
        => CallAsync(async () =>
        {
            jobId ??= StreamJobClient.NewJobId(submission.DefaultName);
            try
            {
                return await _jobs.SubmitAsync(submission, jobId).WaitAsync(cancellationToken);
            }
            catch (TimeoutException ex)
            {
                // The job may be deploying still: submitting again would start a second one.
                throw new StreamClientException($"The cluster did not confirm job '{jobId}' in time ({Reason(ex)}); it may still start: check with 'status {jobId}' before submitting again.", ex);
            }
            catch (JobSubmissionException ex)
            {
                throw new InvalidJobException(ex.Message, ex.OperatorName, ex, ex.DefinitionFile);
            }
            catch (InsufficientSlotsException ex)
            {
                throw new NotEnoughSlotsException(ex.Message, ex.Required, ex.Available, ex);
            }
        });

    /// <summary>Checks, without a cluster, that <paramref name="content"/> is a .NET assembly that can be uploaded as a job; throws <see cref="InvalidJobException"/>.</summary>
    public static void CheckAssembly(string fileName, ReadOnlyMemory<byte> content)
    {
        try
        {
            JobAssemblyImage.Inspect(fileName, content);
        }
        catch (JobSubmissionException ex)
        {
            throw new InvalidJobException(ex.Message, operatorName: null, ex);
        }
    }

    public Task<JobArtifact> UploadAssemblyAsync(string fileName, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        => CallAsync(async () =>
        {
            try
            {
                return await _jobs.UploadArtifactAsync(fileName, content, cancellationToken);
            }
            catch (JobSubmissionException ex)
            {
                throw new InvalidJobException(ex.Message, operatorName: null, ex);
            }
        });

    public Task<IReadOnlyList<JobSummary>> ListJobsAsync(CancellationToken cancellationToken = default)
        => CallAsync(async () =>
        {
            var jobs = await _cluster.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync().WaitAsync(cancellationToken);

            // The list can lag behind a job grain that died before it told; the running ones are asked.
            var current = await Task.WhenAll(jobs.Select(async job =>
                !job.IsTerminal && await TryGetStatusAsync(job.JobId, cancellationToken) is { } status
                    ? job with { State = status.State, EndedAt = status.EndedAt }
                    : job));
            return (IReadOnlyList<JobSummary>)current;
        });

    public Task<JobStatus> GetStatusAsync(string jobId, CancellationToken cancellationToken = default)
        => CallAsync(async () => Known(await _jobs.GetStatusAsync(jobId).WaitAsync(cancellationToken)));

    public Task<JobStatus> CancelAsync(string jobId, CancellationToken cancellationToken = default)
        => CallAsync(async () =>
        {
            Known(await _jobs.GetStatusAsync(jobId).WaitAsync(cancellationToken));
            await _jobs.CancelAsync(jobId).WaitAsync(cancellationToken);
            return await _jobs.GetStatusAsync(jobId).WaitAsync(cancellationToken);
        });

    public Task<string> TriggerSavepointAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => SavepointAsync(jobId, () => _jobs.TriggerSavepointAsync(jobId, timeout, cancellationToken), cancellationToken);

    public Task<string> StopWithSavepointAsync(string jobId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => SavepointAsync(jobId, () => _jobs.StopWithSavepointAsync(jobId, timeout, cancellationToken), cancellationToken);

    public Task<RescaleInfo> RescaleAsync(string jobId, int parallelism, TimeSpan timeout, CancellationToken cancellationToken = default)
        => RescaleAsync(jobId, RescaleRequest.ToParallelism(parallelism), timeout, cancellationToken);

    public Task<RescaleInfo> RescaleAsync(string jobId, IReadOnlyDictionary<string, int> vertices, TimeSpan timeout, CancellationToken cancellationToken = default)
        => RescaleAsync(jobId, RescaleRequest.ForVertices(vertices), timeout, cancellationToken);

    public Task<RescaleInfo> RescaleAsync(string jobId, RescaleRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
        => CallAsync(async () =>
        {
            Known(await _jobs.GetStatusAsync(jobId).WaitAsync(cancellationToken));
            try
            {
                return await _jobs.RescaleAsync(jobId, request, timeout, cancellationToken);
            }
            catch (RescaleRefusedException ex)
            {
                throw new InvalidRescaleException(ex.Message, ex.Vertex, ex);
            }
            catch (InsufficientSlotsException ex)
            {
                throw new NotEnoughSlotsException(ex.Message, ex.Required, ex.Available, ex);
            }
        });

    public Task<JobStatus> WaitForStateAsync(string jobId, IReadOnlyCollection<JobState> states, IProgress<JobStatus>? progress = null, CancellationToken cancellationToken = default)
        => CallAsync(() => _jobs.WaitUntilAsync(jobId, status =>
        {
            progress?.Report(Known(status));
            return states.Contains(status.State) || status.IsTerminal;
        }, cancellationToken));

    public Task<ClusterOverview> GetClusterAsync(CancellationToken cancellationToken = default)
        => CallAsync(async () =>
        {
            var management = _cluster.GetGrain<IManagementGrain>(0);
            var hosts = await management.GetDetailedHosts(onlyActive: true).WaitAsync(cancellationToken);
            var jobs = await _cluster.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync().WaitAsync(cancellationToken);
            var running = (await Task.WhenAll(jobs.Where(j => !j.IsTerminal).Select(j => TryGetStatusAsync(j.JobId, cancellationToken)))).OfType<JobStatus>().ToList();
            var inUse = running
                .Where(s => s.State == JobState.Running)
                .SelectMany(s => s.Slots ?? Array.Empty<string>())
                .GroupBy(silo => silo)
                .ToDictionary(g => g.Key, g => g.Count());
            var silos = await Task.WhenAll(hosts.Select(async entry => new SiloOverview(
                entry.SiloAddress.ToString(),
                entry.SiloName,
                entry.Status.ToString(),
                entry.StartTime,
                await SlotsOfAsync(entry.SiloAddress),
                inUse.GetValueOrDefault(entry.SiloAddress.ToString()))));
            return new ClusterOverview(silos.OrderBy(s => s.Address, StringComparer.Ordinal).ToList(), running.Count(s => s.State == JobState.Running));
        });

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync(CancellationToken.None);
            _host.Dispose();
        }
    }

    private static void Configure(IClientBuilder client, StreamClientOptions options)
    {
        if (options.Postgres is { } postgres)
        {
            client.AddOrleansStreamPostgresClustering(postgres);
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
        }
        else if (options.Gateways.Count > 0)
        {
            client.UseStaticClustering(options.Gateways.ToArray());
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
        }
        else
        {
            client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
        }

        if (options.GatewayListRefreshPeriod is { } refresh)
        {
            client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = refresh);
        }

        if (options.Tls is { } tls)
        {
            var (authority, certificate) = Load(tls);
            client.UseTls(tlsOptions =>
            {
                tlsOptions.LocalCertificate = certificate;
                tlsOptions.RemoteCertificateValidation = authority.Validate;
            });
        }

        if (options.Token is { } token)
        {
            // Every call carries the token; the silo that receives it checks it and keeps it from going further.
            client.AddOutgoingGrainCallFilter(context =>
            {
                RequestContext.Set(Caller.TokenKey, token);
                return context.Invoke();
            });
        }

        var deadline = DateTimeOffset.UtcNow + options.ConnectTimeout;
        client.UseConnectionRetryFilter(async (_, cancellationToken) =>
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            return true;
        });
    }

    /// <exception cref="InvalidDataException">A file is not what it should be; the message names it.</exception>
    private static (CertificateAuthority Authority, X509Certificate2? Certificate) Load(ClientTlsOptions tls)
    {
        try
        {
            return (CertificateAuthority.Load(tls.Authority), tls.Certificate is { } path ? CertificateFiles.Load(path, tls.Key, tls.Password) : null);
        }
        catch (Exception ex) when (ex is CryptographicException or InvalidOperationException)
        {
            throw new InvalidDataException($"TLS: {ex.Message}", ex);
        }
    }

    private async Task<int?> SlotsOfAsync(SiloAddress silo)
    {
        try
        {
            return await _cluster.GetSlotCountAsync(silo, SlotQueryTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException || IsConnectionFailure(ex))
        {
            return null;
        }
    }

    /// <summary>A job's status, or null when its grain does not answer in time (a silo just died, say): for overviews, which go on without it.</summary>
    private async Task<JobStatus?> TryGetStatusAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            return await _jobs.GetStatusAsync(jobId).WaitAsync(SlotQueryTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return null;
        }
    }

    private async Task<string> SavepointAsync(string jobId, Func<Task<string>> savepoint, CancellationToken cancellationToken)
        => await CallAsync(async () =>
        {
            Known(await _jobs.GetStatusAsync(jobId).WaitAsync(cancellationToken));
            try
            {
                return await savepoint();
            }
            catch (JobStateException ex)
            {
                // The job grain refuses a savepoint of a job that does not run.
                throw new SavepointFailedException(jobId, ex.Message, ex);
            }
        });

    /// <summary>A job grain that was never submitted answers with its defaults: created, never started.</summary>
    private static JobStatus Known(JobStatus status)
        => status is { State: JobState.Created, StartedAt: null } ? throw new JobNotFoundException(status.JobId) : status;

    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw new ClusterUnavailableException($"Lost the OrleansStream cluster at {_where}: {Reason(ex)}", ex);
        }
        catch (TimeoutException ex)
        {
            throw new StreamClientException($"The cluster did not answer in time: {Reason(ex)}", ex);
        }
        catch (OrleansException ex)
        {
            // A grain that failed to activate (its storage unreachable, say): the cluster is there but cannot do it now.
            throw new StreamClientException($"The cluster could not do it: {Reason(ex)}", ex);
        }
        catch (AccessDeniedException ex)
        {
            throw new NotAuthorizedException(ex.Message, ex);
        }
        catch (Orleans.Serialization.SerializerException ex)
        {
            // The cluster failed with an error of a type a client cannot read (a database driver's, say): still the cluster's, not the caller's.
            throw new StreamClientException($"The cluster could not do it, and answered with an error this client cannot read: {Reason(ex)}", ex);
        }
    }

    /// <summary>The first line of the innermost message: Orleans folds whole stack traces into some of its messages.</summary>
    private static string Reason(Exception ex) => ex.GetBaseException().Message.Split('\n', 2)[0].Trim();

    private static bool IsConnectionFailure(Exception ex)
        => ex is ConnectionFailedException or SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or SocketException;
}
