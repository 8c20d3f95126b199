namespace OrleansStream.Runtime.Storage;

/// <summary>
/// The ADO.NET invariant names Orleans' providers understand. Orleans keeps its own list internal;
/// these must match it.
/// </summary>
internal static class AdoNetInvariants
{
    public const string PostgreSql = "Npgsql";

    /// <summary>
    /// Despite the name, Orleans loads Microsoft.Data.Sqlite for this invariant, not System.Data.SQLite.
    /// </summary>
    public const string Sqlite = "System.Data.SQLite";
}
