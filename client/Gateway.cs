namespace OrleansStream.Cli;

/// <summary>
/// How the command reaches the cluster: the gateway port of a silo on this machine or, with
/// <see cref="Postgres"/>, any gateway listed in the cluster's PostgreSQL membership table.
/// </summary>
internal sealed record Gateway(int Port, string ClusterId, string ServiceId, string? Postgres = null)
{
    /// <summary>Where the command looked for the cluster, for error messages (never the connection string, which may hold a password).</summary>
    public string Description => Postgres is null ? $"gateway port {Port}" : "the gateways of the PostgreSQL membership table";
}
