namespace OrleansStream.Contracts.Security;

/// <summary>
/// What a principal may do on a cluster that checks callers (<c>OrleansStream:Security:Principals</c>). Roles add up;
/// none of them includes another, except <see cref="Admin"/>, which is all of them on every principal's jobs.
/// </summary>
[Flags]
public enum ClusterRoles
{
    None = 0,

    /// <summary>List its jobs, see their status and the cluster's silos and slots.</summary>
    Read = 1,

    /// <summary>Submit jobs of classes deployed with the silos, and topologies.</summary>
    Submit = 2,

    /// <summary>Upload job assemblies and submit jobs from them: code that runs with the silos' rights.</summary>
    Upload = 4,

    /// <summary>Cancel its jobs, take savepoints, stop and rescale them.</summary>
    Operate = 8,

    /// <summary>Everything, on the jobs of every principal.</summary>
    Admin = Read | Submit | Upload | Operate | 16,
}

/// <summary>Roles as written in configuration: <c>read,submit,operate</c>.</summary>
public static class ClusterRoleNames
{
    /// <exception cref="FormatException">A name is not a role; the message lists the roles.</exception>
    public static ClusterRoles Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var roles = ClusterRoles.None;
        foreach (var name in text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            roles |= Enum.TryParse<ClusterRoles>(name, ignoreCase: true, out var role) && role != ClusterRoles.None && Enum.IsDefined(role)
                ? role
                : throw new FormatException($"'{name}' is not a role (read, submit, upload, operate, admin).");
        }

        return roles;
    }

    public static string Format(ClusterRoles roles)
        => roles.HasFlag(ClusterRoles.Admin) ? "admin"
            : roles == ClusterRoles.None ? "none"
            : string.Join(",", Enum.GetValues<ClusterRoles>().Where(r => r is not (ClusterRoles.None or ClusterRoles.Admin) && roles.HasFlag(r)).Select(r => r.ToString().ToLowerInvariant()));
}
