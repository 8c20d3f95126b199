using OrleansStream.Runtime.Storage;

namespace OrleansStream.Tests.Storage;

/// <summary>The OrleansQuery keys each Orleans ADO.NET provider looks up; a missing one fails the provider at start-up.</summary>
internal static class ExpectedQueries
{
    public static readonly string[] GrainStorage = ["ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey"];

    public static readonly string[] Reminders =
    [
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "UpsertReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    public static readonly string[] Clustering =
    [
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey",
        "UpdateIAmAlivetimeKey", "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
    ];

    public static string[] For(SqlSchemaParts parts) =>
    [
        .. parts.HasFlag(SqlSchemaParts.GrainStorage) ? GrainStorage : [],
        .. parts.HasFlag(SqlSchemaParts.Reminders) ? Reminders : [],
        .. parts.HasFlag(SqlSchemaParts.Clustering) ? Clustering : [],
    ];
}
