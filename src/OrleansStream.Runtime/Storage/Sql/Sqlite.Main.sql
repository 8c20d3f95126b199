-- OrleansStream, SQLite: the query table shared by every Orleans ADO.NET provider.
--
-- Each provider starts by reading "SELECT QueryKey, QueryText FROM OrleansQuery" and from then on
-- runs only the SQL it found there, so the table and column names below are fixed by Orleans.
--
-- Safe to run at every start-up: nothing here fails or changes data when it already exists.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);
