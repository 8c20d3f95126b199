namespace OrleansStream.Client;

public static class ClientClusteringExtensions
{
    /// <summary>The ADO.NET invariant under which Orleans' providers load Npgsql.</summary>
    private const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// Makes a client find the cluster's gateways in the PostgreSQL membership table its silos use
    /// (silos: <c>AddOrleansStreamPostgresClustering</c>). The client only reads it: the silos create the schema.
    /// </summary>
    public static IClientBuilder AddOrleansStreamPostgresClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgresInvariant;
            options.ConnectionString = connectionString;
        });
    }
}
