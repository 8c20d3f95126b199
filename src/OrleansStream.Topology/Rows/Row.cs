namespace OrleansStream.Topology.Rows;

/// <summary>
/// A record of a topology job: values by position, typed by the <see cref="RowSchema"/> of the stream it
/// is in (which the row does not carry). A row is not changed after the step that made it emits it.
/// </summary>
public sealed class Row
{
    internal readonly RowValue[] Values;

    public Row(int width) => Values = width == 0 ? [] : new RowValue[width];

    public int Width => Values.Length;

    public string GetString(int index) => Values[index].Text ?? string.Empty;

    public long GetLong(int index) => Values[index].Bits;

    public double GetDouble(int index) => BitConverter.Int64BitsToDouble(Values[index].Bits);

    public bool GetBool(int index) => Values[index].Bits != 0;

    /// <summary>The timestamp as epoch milliseconds.</summary>
    public long GetTimestamp(int index) => Values[index].Bits;

    public DateTime GetDateTime(int index) => RowTime.ToDateTime(Values[index].Bits);

    public void SetString(int index, string value) => Values[index].Text = value;

    public void SetLong(int index, long value) => Values[index].Bits = value;

    public void SetDouble(int index, double value) => Values[index].Bits = BitConverter.DoubleToInt64Bits(value);

    public void SetBool(int index, bool value) => Values[index].Bits = value ? 1 : 0;

    public void SetTimestamp(int index, long epochMilliseconds) => Values[index].Bits = epochMilliseconds;

    public void SetDateTime(int index, DateTime value) => Values[index].Bits = RowTime.ToEpochMilliseconds(value);

    /// <summary>The value boxed as the CLR type of <paramref name="type"/>: for sinks that take objects.</summary>
    public object GetObject(int index, FieldType type) => type switch
    {
        FieldType.String => GetString(index),
        FieldType.Long => GetLong(index),
        FieldType.Double => GetDouble(index),
        FieldType.Bool => GetBool(index),
        _ => GetDateTime(index),
    };

    internal void CopyFrom(Row source, int sourceIndex, int index) => Values[index] = source.Values[sourceIndex];
}
