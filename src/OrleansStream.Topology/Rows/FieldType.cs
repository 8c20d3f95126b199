namespace OrleansStream.Topology.Rows;

/// <summary>The types a field of a row can have.</summary>
public enum FieldType
{
    /// <summary>Text; <c>string</c> in expressions.</summary>
    String,

    /// <summary>A 64-bit integer; <c>long</c> in expressions.</summary>
    Long,

    /// <summary>A 64-bit floating-point number; <c>double</c> in expressions.</summary>
    Double,

    /// <summary>True or false; <c>bool</c> in expressions.</summary>
    Bool,

    /// <summary>A point in time, held as epoch milliseconds; a UTC <c>DateTime</c> in expressions.</summary>
    Timestamp,
}

internal static class FieldTypes
{
    public static readonly string[] Names = ["string", "long", "double", "bool", "timestamp"];

    public static string Name(this FieldType type) => Names[(int)type];

    public static bool TryParse(string name, out FieldType type)
    {
        int index = Array.FindIndex(Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        type = (FieldType)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>The CLR type an expression sees the field as.</summary>
    public static Type ClrType(this FieldType type) => type switch
    {
        FieldType.String => typeof(string),
        FieldType.Long => typeof(long),
        FieldType.Double => typeof(double),
        FieldType.Bool => typeof(bool),
        _ => typeof(DateTime),
    };

    public static bool IsNumeric(this FieldType type) => type is FieldType.Long or FieldType.Double;
}
