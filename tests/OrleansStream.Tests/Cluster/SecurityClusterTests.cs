using System.Security.Cryptography;
using System.Text;
using Orleans.TestingHost;
using OrleansStream.Contracts.Artifacts;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Contracts.Security;
using OrleansStream.Runtime.Security;

namespace OrleansStream.Tests.Cluster;

/// <summary>A silo whose configuration names principals, their tokens' hashes and roles; calls made as each of them.</summary>
public sealed class SecuredClusterFixture : SingleSiloFixture<SecuredClusterFixture.Configurator>
{
    public static readonly (string Name, string Token, string Roles)[] Principals =
    [
        ("reader", "token-of-reader", "read"),
        ("alice", "token-of-alice", "read,submit,operate"),
        ("bob", "token-of-bob", "read,submit,operate"),
        ("admin", "token-of-admin", "admin"),
    ];

    public sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddOrleansStreamInMemory(slots: 4);
            siloBuilder.AddOrleansStreamSecurity(new SecurityOptions
            {
                Principals = Principals.Select(p => new PrincipalOptions
                {
                    Name = p.Name,
                    TokenSha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(p.Token))),
                    Roles = p.Roles,
                }).ToList(),
            });
        }
    }
}

/// <summary>
/// Every client call is checked against the principals: no token, an unknown one or a missing role is refused with a
/// message that says which; a job is its submitter's, seen and operated by it and by admins only; and the grains the
/// silos use among themselves are not a client's to call.
/// </summary>
public sealed class SecurityClusterTests(SecuredClusterFixture fixture) : IClassFixture<SecuredClusterFixture>
{
    private const string Topology = """
        steps:
          - { type: source, connector: generator, line: '"x"', rate: 50 }
          - { type: split, fields: { x: string } }
          - { type: sink, connector: discard }
        """;

    private StreamJobClient Jobs => fixture.Jobs;

    [Fact]
    public async Task A_call_without_a_token_or_with_an_unknown_one_is_refused()
    {
        var none = await Assert.ThrowsAsync<AccessDeniedException>(() => As(null, () => Jobs.GetStatusAsync("any")));
        var unknown = await Assert.ThrowsAsync<AccessDeniedException>(() => As("guessed", () => Jobs.GetStatusAsync("any")));

        Assert.Equal("Access denied: this cluster needs a token (--token, or ORLEANSSTREAM_TOKEN).", none.Message);
        Assert.Equal("Access denied: the token is not one of this cluster's.", unknown.Message);
    }

    [Fact]
    public async Task A_principal_may_do_only_what_its_roles_allow()
    {
        var submit = await Assert.ThrowsAsync<AccessDeniedException>(() => As("token-of-reader", () => Jobs.SubmitAsync(Submission())));
        var upload = await Assert.ThrowsAsync<AccessDeniedException>(() => As("token-of-alice", () => fixture.Cluster.GrainFactory.GetGrain<IJobArtifactGrain>(new string('a', 64)).IsStoredAsync()));

        Assert.Equal("Access denied: 'reader' may not submit jobs (its roles: read).", submit.Message);
        Assert.Equal("Access denied: 'alice' may not upload job code (its roles: read,submit,operate).", upload.Message);
        Assert.NotNull(await As("token-of-reader", () => Jobs.GetStatusAsync("any")));
    }

    [Fact]
    public async Task A_job_is_seen_and_operated_by_its_submitter_and_admins_only()
    {
        var job = await As("token-of-alice", () => Jobs.SubmitAsync(Submission()));

        var aliceSees = await As("token-of-alice", () => Jobs.GetStatusAsync(job.JobId));
        var bobList = await As("token-of-bob", () => fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync());
        var bobStatus = await Assert.ThrowsAsync<AccessDeniedException>(() => As("token-of-bob", () => Jobs.GetStatusAsync(job.JobId)));
        var bobCancel = await Assert.ThrowsAsync<AccessDeniedException>(() => As("token-of-bob", () => Jobs.CancelAsync(job.JobId)));
        var adminList = await As("token-of-admin", () => fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).ListAsync());
        await As("token-of-admin", async () => { await Jobs.CancelAsync(job.JobId); return 0; });

        Assert.Equal(JobState.Running, aliceSees.State);
        Assert.DoesNotContain(bobList, j => j.JobId == job.JobId);
        Assert.Equal($"Access denied: job '{job.JobId}' belongs to another principal.", bobStatus.Message);
        Assert.Equal(bobStatus.Message, bobCancel.Message);
        Assert.Equal("alice", Assert.Single(adminList, j => j.JobId == job.JobId).Owner);
        Assert.Equal(JobState.Canceled, (await As("token-of-alice", () => Jobs.GetStatusAsync(job.JobId))).State);
    }

    [Fact]
    public async Task A_principal_starts_only_from_savepoints_of_its_own_jobs()
    {
        var job = await As("token-of-alice", () => Jobs.SubmitAsync(Submission(checkpointed: true)));
        string pointer = await As("token-of-alice", () => Jobs.StopWithSavepointAsync(job.JobId, TimeSpan.FromMinutes(2)));

        var bob = await Assert.ThrowsAsync<AccessDeniedException>(() => As("token-of-bob", () => Jobs.SubmitAsync(Submission(checkpointed: true) with { FromSavepoint = pointer })));
        var alice = await As("token-of-alice", () => Jobs.SubmitAsync(Submission(checkpointed: true) with { FromSavepoint = pointer }));
        await As("token-of-alice", () => Jobs.CancelAsync(alice.JobId));

        Assert.Equal($"Access denied: savepoint '{pointer}' belongs to a job of another principal.", bob.Message);
        Assert.Equal(JobState.Running, alice.State);
    }

    [Fact]
    public async Task The_grains_silos_use_among_themselves_are_not_a_clients_to_call_even_an_admins()
    {
        var error = await Assert.ThrowsAsync<AccessDeniedException>(() => As("token-of-admin",
            () => fixture.Cluster.GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).UpdateAsync(
                new JobSummary("forged", "forged", "forged", JobState.Finished, DateTimeOffset.UtcNow, null, 1))));

        Assert.Equal("Access denied: 'IJobRegistryGrain.UpdateAsync' is not a client operation.", error.Message);
    }

    private static Task<bool> As(string token, Func<Task> call) => As(token, async () =>
    {
        await call();
        return true;
    });

    private static JobSubmission Submission(bool checkpointed = false)
        => JobSubmission.ForTopology(checkpointed ? "checkpoints: { interval: 100ms }\n" + Topology : Topology, "secured.yaml");

    /// <summary>Runs <paramref name="call"/> with <paramref name="token"/> in the request context, as the SDK sends it.</summary>
    private static async Task<T> As<T>(string? token, Func<Task<T>> call)
    {
        if (token is null)
        {
            RequestContext.Remove(Caller.TokenKey);
        }
        else
        {
            RequestContext.Set(Caller.TokenKey, token);
        }

        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(Caller.TokenKey);
        }
    }
}
