using System.Reflection;

namespace OrleansStream.Runtime.Storage;

/// <summary>Picks the embedded scripts (Storage/Sql/*.sql) that prepare a database for the requested parts, in the order they must run.</summary>
internal static class SqlScripts
{
    private const string ResourcePrefix = "OrleansStream.Runtime.Storage.Sql.";

    public static IReadOnlyList<SqlScript> For(SqlDialect dialect, SqlSchemaParts parts)
    {
        if (parts == SqlSchemaParts.None || (parts & ~SqlSchemaParts.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(parts), parts, $"Name one or more of {nameof(SqlSchemaParts)}.{nameof(SqlSchemaParts.GrainStorage)}, {nameof(SqlSchemaParts.Reminders)} and {nameof(SqlSchemaParts.Clustering)}.");
        }

        var prefix = dialect switch
        {
            SqlDialect.PostgreSql => "PostgreSql",
            SqlDialect.Sqlite => "Sqlite",
            _ => throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "Unknown SQL dialect."),
        };

        // The query table first: every part inserts its queries into it.
        var scripts = new List<SqlScript> { Load($"{prefix}.Main.sql") };
        foreach (var part in new[] { SqlSchemaParts.GrainStorage, SqlSchemaParts.Reminders, SqlSchemaParts.Clustering })
        {
            if (!parts.HasFlag(part))
            {
                continue;
            }

            var name = $"{prefix}.{part}.sql";
            if (!Exists(name))
            {
                throw new NotSupportedException($"OrleansStream has no {dialect} script for {part}; use PostgreSQL for {part}.");
            }

            scripts.Add(Load(name));
        }

        return scripts;
    }

    private static Assembly Assembly => typeof(SqlScripts).Assembly;

    private static bool Exists(string name) => Assembly.GetManifestResourceInfo(ResourcePrefix + name) is not null;

    private static SqlScript Load(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The embedded SQL script {name} is missing from {Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return new SqlScript(name, reader.ReadToEnd());
    }
}
