using System.Text.RegularExpressions;

namespace OrleansStream.Connectors.Postgres;

/// <summary>
/// Checks table and column names before they are put into SQL: plain identifiers (folded to lower case by
/// PostgreSQL as usual) or double-quoted ones, a table optionally with its schema.
/// </summary>
internal static partial class PostgresIdentifiers
{
    public static string ValidateTable(string table)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        return QualifiedName().IsMatch(table)
            ? table
            : throw new ArgumentException($"'{table}' is not a PostgreSQL table name: use letters, digits and '_' (or a \"quoted\" name), optionally with a schema, as in public.word_counts.", nameof(table));
    }

    public static string ValidateColumn(string column)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(column);
        return Name().IsMatch(column)
            ? column
            : throw new ArgumentException($"'{column}' is not a PostgreSQL column name: use letters, digits and '_', or a \"quoted\" name.", "columns");
    }

    [GeneratedRegex("""^([A-Za-z_][A-Za-z0-9_$]*|"([^"]|"")+")$""")]
    private static partial Regex Name();

    [GeneratedRegex("""^([A-Za-z_][A-Za-z0-9_$]*|"([^"]|"")+")(\.([A-Za-z_][A-Za-z0-9_$]*|"([^"]|"")+"))?$""")]
    private static partial Regex QualifiedName();
}
