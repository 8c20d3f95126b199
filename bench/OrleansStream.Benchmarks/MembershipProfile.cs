using Orleans.Configuration;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Benchmarks;

/// <summary>How quickly the cluster declares a silent silo dead and how often reminders are checked.</summary>
internal enum MembershipProfile
{
    /// <summary>The settings of the recovery tests (tests/.../Cluster/RecoveryCluster.cs): probe every 0.5 s, dead after 2 missed probes and 1 vote.</summary>
    Tuned,

    /// <summary>
    /// A middle way for production: probe every second, dead after 3 missed probes and 2 votes (so one
    /// slow silo cannot evict another on its own); Orleans' reminder and OrleansStream's job defaults.
    /// </summary>
    Moderate,

    /// <summary>Orleans' and OrleansStream's defaults: probe timeout 5 s, 3 missed probes, 2 votes; job reminder every minute.</summary>
    Defaults,
}

internal static class MembershipProfiles
{
    /// <summary>Applies <paramref name="profile"/> to a silo of the recovery benchmark.</summary>
    public static void Apply(ISiloBuilder silo, MembershipProfile profile)
    {
        silo.AddOrleansStream(options =>
        {
            if (profile == MembershipProfile.Tuned)
            {
                options.JobReminderPeriod = TimeSpan.FromSeconds(2);
                options.JobSupervisionInterval = TimeSpan.FromMilliseconds(50);
            }
        });
        if (profile == MembershipProfile.Moderate)
        {
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 3;
                options.NumVotesForDeathDeclaration = 2;
            });
        }

        if (profile != MembershipProfile.Tuned)
        {
            return;
        }

        silo.Configure<ReminderOptions>(options =>
        {
            options.MinimumReminderPeriod = TimeSpan.FromSeconds(1);
            options.RefreshReminderListPeriod = TimeSpan.FromSeconds(1);
        });
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromMilliseconds(500);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 1;
            options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
        });
    }
}
