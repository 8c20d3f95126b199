namespace OrleansStream.Topology.Rows;

/// <summary>A named, typed field of a row.</summary>
public sealed record RowField(string Name, FieldType Type);
