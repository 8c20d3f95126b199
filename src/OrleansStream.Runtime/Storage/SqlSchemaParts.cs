namespace OrleansStream.Runtime.Storage;

/// <summary>Which Orleans ADO.NET providers a database is prepared for. The query table they share always comes along.</summary>
[Flags]
public enum SqlSchemaParts
{
    None = 0,

    /// <summary>Grain state: checkpoints and job state (Orleans.Persistence.AdoNet).</summary>
    GrainStorage = 1,

    /// <summary>Reminders (Orleans.Reminders.AdoNet). PostgreSQL only.</summary>
    Reminders = 2,

    /// <summary>Cluster membership (Orleans.Clustering.AdoNet). PostgreSQL only.</summary>
    Clustering = 4,

    All = GrainStorage | Reminders | Clustering,
}
