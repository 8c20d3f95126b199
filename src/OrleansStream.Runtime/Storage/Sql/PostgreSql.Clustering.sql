-- OrleansStream, PostgreSQL: the membership table of Orleans ADO.NET clustering
-- (Microsoft.Orleans.Clustering.AdoNet, invariant "Npgsql"), read by silos and by clients' gateway lists.
--
-- The provider's contract, as its code uses it:
--   * DeploymentId is the cluster id. Each cluster has one version row; every read returns that
--     version (a LEFT JOIN, so an empty cluster still yields one row, with NULL member columns).
--   * Membership changes are optimistic on the whole table: InsertMembershipKey and
--     UpdateMembershipKey carry the table version the silo read (Version) and must succeed only if
--     it is still current, bumping it by one; they return a single boolean. Rows have no ETag of
--     their own (the provider gives every row an empty one).
--   * A silo is identified by Address, Port and Generation; Status is a SiloStatus number
--     (3 = Active, 6 = Dead); SuspectTimes is the provider's own "silo,time|silo,time" text.
--   * IAmAliveTime and StartTime are UTC DateTimes.
--
-- Safe to run at every start-up (apply it inside a transaction; SqlSchema does, under an advisory lock).

CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deployment_id   text        NOT NULL REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    CONSTRAINT orleans_membership_key PRIMARY KEY (deployment_id, address, port, generation)
);

-- Both changes bump the version row first. That takes its row lock, so concurrent changes of one
-- cluster run one after the other, and a change made with a stale version matches nothing.
-- The exception handler turns a failed member change into "false" and, because a handled block is
-- rolled back as a whole, undoes the version bump with it.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id text, p_address text, p_port integer, p_generation integer,
    p_silo_name text, p_host_name text, p_status integer, p_proxy_port integer,
    p_start_time timestamptz, p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $body$
BEGIN
    UPDATE orleans_membership_version
       SET version = version + 1, changed_at = now()
     WHERE deployment_id = p_deployment_id
       AND version = p_expected_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port, p_start_time, p_i_am_alive_time);
    RETURN true;
EXCEPTION
    WHEN unique_violation THEN
        RETURN false;
END
$body$;

CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id text, p_address text, p_port integer, p_generation integer,
    p_status integer, p_suspect_times text, p_i_am_alive_time timestamptz, p_expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $body$
BEGIN
    UPDATE orleans_membership_version
       SET version = version + 1, changed_at = now()
     WHERE deployment_id = p_deployment_id
       AND version = p_expected_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
       SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
     WHERE deployment_id = p_deployment_id
       AND address = p_address
       AND port = p_port
       AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found';
    END IF;
    RETURN true;
EXCEPTION
    WHEN no_data_found THEN
        RETURN false;
END
$body$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'InsertMembershipVersionKey',
    $sql$
    WITH created AS
    (
        INSERT INTO orleans_membership_version (deployment_id)
        VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM created)
    $sql$
),
(
    'MembershipReadAllKey',
    $sql$
    SELECT v.version AS "Version",
           m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
           m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
           m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
      FROM orleans_membership_version AS v
      LEFT JOIN orleans_membership AS m
        ON m.deployment_id = v.deployment_id
     WHERE v.deployment_id = @DeploymentId
    $sql$
),
(
    'MembershipReadRowKey',
    $sql$
    SELECT v.version AS "Version",
           m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status",
           m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
           m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
      FROM orleans_membership_version AS v
      LEFT JOIN orleans_membership AS m
        ON m.deployment_id = v.deployment_id
       AND m.address = @Address
       AND m.port = @Port
       AND m.generation = @Generation
     WHERE v.deployment_id = @DeploymentId
    $sql$
),
(
    'GatewaysQueryKey',
    $sql$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
      FROM orleans_membership
     WHERE deployment_id = @DeploymentId
       AND status = @Status
       AND proxy_port > 0
    $sql$
),
(
    'InsertMembershipKey',
    $sql$
    SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                     @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)
    $sql$
),
(
    'UpdateMembershipKey',
    $sql$
    SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                     @IAmAliveTime, @Version)
    $sql$
),
(
    -- Not a membership change: the table version stays as it is.
    'UpdateIAmAlivetimeKey',
    $sql$
    UPDATE orleans_membership
       SET i_am_alive_time = @IAmAliveTime
     WHERE deployment_id = @DeploymentId
       AND address = @Address
       AND port = @Port
       AND generation = @Generation
    $sql$
),
(
    -- Members go with their version row (ON DELETE CASCADE).
    'DeleteMembershipTableEntriesKey',
    $sql$
    DELETE FROM orleans_membership_version
     WHERE deployment_id = @DeploymentId
    $sql$
),
(
    -- Only silos declared dead (status 6) whose last heartbeat is older than the cut-off.
    'CleanupDefunctSiloEntriesKey',
    $sql$
    DELETE FROM orleans_membership
     WHERE deployment_id = @DeploymentId
       AND i_am_alive_time < @IAmAliveTime
       AND status = 6
    $sql$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
