-- OrleansStream, PostgreSQL: the reminder table of the Orleans ADO.NET reminder service
-- (Microsoft.Orleans.Reminders.AdoNet, invariant "Npgsql"). The job grains' supervision reminders live here.
--
-- The provider's contract, as its code uses it:
--   * A reminder is identified by ServiceId, GrainId (the grain id as text) and ReminderName.
--   * GrainHash is the grain's uniform hash, a uint sent as a signed int. Each silo reads the reminders
--     of its slice of the hash ring, (BeginHash, EndHash]: ReadRangeRows1Key when the slice does not
--     wrap (BeginHash < EndHash, compared as signed ints), ReadRangeRows2Key when it does. Signed
--     comparisons in both queries keep this consistent.
--   * Period arrives in milliseconds as an int, or a bigint when it does not fit; it is read as a bigint.
--   * StartTime is a UTC DateTime; Version is the ETag: the upsert returns the new one, the delete
--     succeeds only for the current one and returns a single boolean.
--
-- Safe to run at every start-up (apply it inside a transaction; SqlSchema does, under an advisory lock).

CREATE TABLE IF NOT EXISTS orleans_reminders
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    integer     NOT NULL,
    start_time    timestamptz NOT NULL,
    period        bigint      NOT NULL,
    version       integer     NOT NULL,
    CONSTRAINT orleans_reminders_key PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS orleans_reminders_ring ON orleans_reminders (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'ReadReminderRowsKey',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period AS "Period", version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId
       AND grain_id = @GrainId
    $sql$
),
(
    'ReadReminderRowKey',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period AS "Period", version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId
       AND grain_id = @GrainId
       AND reminder_name = @ReminderName
    $sql$
),
(
    'ReadRangeRows1Key',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period AS "Period", version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId
       AND grain_hash > @BeginHash
       AND grain_hash <= @EndHash
    $sql$
),
(
    'ReadRangeRows2Key',
    $sql$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period AS "Period", version AS "Version"
      FROM orleans_reminders
     WHERE service_id = @ServiceId
       AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
    $sql$
),
(
    'UpsertReminderRowKey',
    $sql$
    INSERT INTO orleans_reminders AS r
        (service_id, grain_id, reminder_name, grain_hash, start_time, period, version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 0)
    ON CONFLICT ON CONSTRAINT orleans_reminders_key DO UPDATE
       SET grain_hash = EXCLUDED.grain_hash,
           start_time = EXCLUDED.start_time,
           period = EXCLUDED.period,
           version = r.version + 1
    RETURNING version AS "Version"
    $sql$
),
(
    'DeleteReminderRowKey',
    $sql$
    WITH removed AS
    (
        DELETE FROM orleans_reminders
         WHERE service_id = @ServiceId
           AND grain_id = @GrainId
           AND reminder_name = @ReminderName
           AND version = @Version
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM removed)
    $sql$
),
(
    'DeleteReminderRowsKey',
    $sql$
    DELETE FROM orleans_reminders
     WHERE service_id = @ServiceId
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
