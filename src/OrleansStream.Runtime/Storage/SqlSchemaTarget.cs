namespace OrleansStream.Runtime.Storage;

/// <summary>A database a silo must prepare before its providers start, registered by the hosting extensions.</summary>
internal sealed record SqlSchemaTarget(SqlDialect Dialect, string ConnectionString, SqlSchemaParts Parts);
