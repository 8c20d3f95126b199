using System.Text.RegularExpressions;

namespace OrleansStream.Topology.Rows;

/// <summary>
/// The fields of the rows of a stream, in order. Known from the topology at every step, so rows carry
/// only their values (by position) and cross subtasks with a positional codec (<see cref="RowCodec"/>).
/// </summary>
public sealed partial class RowSchema
{
    private readonly Dictionary<string, int> _indexes;

    public RowSchema(IReadOnlyList<RowField> fields)
    {
        Fields = fields;
        _indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < fields.Count; i++)
        {
            if (!_indexes.TryAdd(fields[i].Name, i))
            {
                throw new ArgumentException($"field '{fields[i].Name}' is defined twice", nameof(fields));
            }
        }
    }

    public IReadOnlyList<RowField> Fields { get; }

    public int Count => Fields.Count;

    public RowField this[int index] => Fields[index];

    public int IndexOf(string name) => _indexes.TryGetValue(name, out int index) ? index : -1;

    public bool Contains(string name) => _indexes.ContainsKey(name);

    /// <summary>"ip (string), time (timestamp)": for error messages.</summary>
    public string Describe() => Count == 0 ? "no fields" : string.Join(", ", Fields.Select(f => $"{f.Name} ({f.Type.Name()})"));

    /// <summary>A field name must be usable as an identifier in expressions.</summary>
    public static bool IsValidName(string name) => IdentifierPattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
