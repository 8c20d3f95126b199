-- OrleansStream, SQLite: grain state for the Orleans ADO.NET grain storage provider
-- (Microsoft.Orleans.Persistence.AdoNet, invariant "System.Data.SQLite", which Orleans loads from
-- Microsoft.Data.Sqlite). The one-machine twin of PostgreSql.GrainStorage.sql: the same contract,
-- described there, in SQLite terms.
--
-- SQLite runs one writer at a time (the database is in WAL mode, set by SqlSchema), so each
-- statement below is atomic on its own; the unique index still guards the first insert.
--
-- Safe to run at every start-up.

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id         TEXT    NOT NULL,
    grain_type         TEXT    NOT NULL,
    grain_type_hash    INTEGER NOT NULL,
    grain_id_hash      INTEGER NOT NULL,
    grain_id_n0        INTEGER NOT NULL,
    grain_id_n1        INTEGER NOT NULL,
    grain_id_extension TEXT    NULL,
    payload            BLOB    NULL,
    version            INTEGER NOT NULL,
    modified_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- SQLite treats NULLs as distinct in a unique index; ifnull(..., x'00') maps "no extension" to a
-- blob, a value no text key can equal, so a missing extension is unique like any other.
CREATE UNIQUE INDEX IF NOT EXISTS orleans_grain_state_identity ON orleans_grain_state
    (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, ifnull(grain_id_extension, x'00'));

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'ReadFromStorageKey',
    '
    SELECT payload AS PayloadBinary,
           version AS Version
      FROM orleans_grain_state
     WHERE grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS @GrainIdExtensionString;
    '
),
(
    -- Two statements, of which at most one changes a row: an update of the version the grain read,
    -- or the first insert. Each returns the new version; the provider reads whichever row there is.
    'WriteToStorageKey',
    '
    UPDATE orleans_grain_state
       SET payload = @PayloadBinary,
           version = version + 1,
           modified_at = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
     WHERE @GrainStateVersion IS NOT NULL
       AND version = @GrainStateVersion
       AND grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS @GrainIdExtensionString
    RETURNING version AS NewGrainStateVersion;

    INSERT INTO orleans_grain_state
        (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, 1
     WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version AS NewGrainStateVersion;
    '
),
(
    'ClearStorageKey',
    '
    UPDATE orleans_grain_state
       SET payload = NULL,
           version = version + 1,
           modified_at = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
     WHERE version = @GrainStateVersion
       AND grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS @GrainIdExtensionString
    RETURNING version AS NewGrainStateVersion;
    '
),
(
    -- Returns the deleted version + 1: that is how the provider tells a delete from a conflict.
    'DeleteStorageKey',
    '
    DELETE FROM orleans_grain_state
     WHERE version = @GrainStateVersion
       AND grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS @GrainIdExtensionString
    RETURNING version + 1 AS NewGrainStateVersion;
    '
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
