-- OrleansStream, PostgreSQL: grain state for the Orleans ADO.NET grain storage provider
-- (Microsoft.Orleans.Persistence.AdoNet, invariant "Npgsql"). Checkpoint snapshots and job state live here.
--
-- The provider's contract, as its code uses it:
--   * It identifies a state by ServiceId, the state name (GrainTypeString, e.g. "job"), and the grain
--     key split into GrainIdN0/GrainIdN1 (a Guid or an integer key) and GrainIdExtensionString (a
--     string key, or a key extension; NULL when there is none). The grain type is NOT part of the key:
--     two grain types with the same key and the same state name share one row.
--   * GrainIdHash and GrainTypeHash are 32-bit hashes of the key and the state name, sent only to
--     narrow index look-ups; equal hashes never mean equal identities.
--   * Version is the ETag. A write sends the version it read (GrainStateVersion, NULL for "never
--     stored") and expects one row back with the new version; no row, NULL, or the old version
--     means another writer got there first, and the provider throws InconsistentStateException.
--   * Clear: with DeleteStateOnClear (our setting) DeleteStorageKey removes the row and returns the
--     deleted version + 1; otherwise ClearStorageKey nulls the payload and bumps the version.
--   * Payloads are opaque bytes from the provider's IGrainStorageSerializer.
--
-- Safe to run at every start-up (apply it inside a transaction; SqlSchema does, under an advisory lock).

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id         text        NOT NULL,
    grain_type         text        NOT NULL,
    grain_type_hash    integer     NOT NULL,
    grain_id_hash      integer     NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text        NULL,
    payload            bytea       NULL,
    version            integer     NOT NULL,
    modified_at        timestamptz NOT NULL DEFAULT now(),
    -- One row per identity. NULLS NOT DISTINCT makes "no extension" a value of its own, so two
    -- activations inserting the same new state at once cannot both succeed.
    CONSTRAINT orleans_grain_state_identity UNIQUE NULLS NOT DISTINCT
        (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type, grain_id_extension)
);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'ReadFromStorageKey',
    $sql$
    SELECT payload AS "PayloadBinary",
           version AS "Version"
      FROM orleans_grain_state
     WHERE grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
    $sql$
),
(
    -- Exactly one branch runs: an update of the version the grain read, or the first insert.
    -- ON CONFLICT DO NOTHING turns a lost race for the first insert into "no row returned".
    'WriteToStorageKey',
    $sql$
    WITH updated AS
    (
        UPDATE orleans_grain_state
           SET payload = @PayloadBinary,
               version = version + 1,
               modified_at = now()
         WHERE @GrainStateVersion IS NOT NULL
           AND version = @GrainStateVersion
           AND grain_id_hash = @GrainIdHash
           AND grain_type_hash = @GrainTypeHash
           AND service_id = @ServiceId
           AND grain_id_n0 = @GrainIdN0
           AND grain_id_n1 = @GrainIdN1
           AND grain_type = @GrainTypeString
           AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
        RETURNING version
    ),
    inserted AS
    (
        INSERT INTO orleans_grain_state
            (service_id, grain_type, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
        SELECT @ServiceId, @GrainTypeString, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @PayloadBinary, 1
         WHERE @GrainStateVersion IS NULL
        ON CONFLICT DO NOTHING
        RETURNING version
    )
    SELECT version AS "NewGrainStateVersion" FROM updated
    UNION ALL
    SELECT version FROM inserted
    $sql$
),
(
    'ClearStorageKey',
    $sql$
    UPDATE orleans_grain_state
       SET payload = NULL,
           version = version + 1,
           modified_at = now()
     WHERE version = @GrainStateVersion
       AND grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING version AS "NewGrainStateVersion"
    $sql$
),
(
    -- The provider compares the returned value with the version it sent: returning the deleted
    -- version + 1 is how a successful delete differs from a conflict.
    'DeleteStorageKey',
    $sql$
    DELETE FROM orleans_grain_state
     WHERE version = @GrainStateVersion
       AND grain_id_hash = @GrainIdHash
       AND grain_type_hash = @GrainTypeHash
       AND service_id = @ServiceId
       AND grain_id_n0 = @GrainIdN0
       AND grain_id_n1 = @GrainIdN1
       AND grain_type = @GrainTypeString
       AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
    RETURNING version + 1 AS "NewGrainStateVersion"
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
