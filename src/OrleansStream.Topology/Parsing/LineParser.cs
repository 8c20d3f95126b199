using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Parsing;

/// <summary>Turns a line of text into a row of <see cref="Schema"/>, or says why it cannot. Never throws on bad input.</summary>
internal abstract class LineParser(IReadOnlyList<FieldSpec> fields)
{
    public IReadOnlyList<FieldSpec> Fields { get; } = fields;

    public RowSchema Schema { get; } = new(fields.Select(f => new RowField(f.Name, f.Type)).ToList());

    /// <summary>The row, or null with <paramref name="reason"/> set.</summary>
    public abstract Row? TryParse(string line, out string? reason);
}
