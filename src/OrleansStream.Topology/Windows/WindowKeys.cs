using System.Globalization;
using System.Text;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Windows;

/// <summary>
/// The key a window step groups by, as a string: the field itself for one string field (no allocation),
/// else the fields' invariant text, each with its length, so different keys never collide.
/// </summary>
internal static class WindowKeys
{
    public static Func<Row, string> Selector(RowSchema schema, IReadOnlyList<int> fields)
    {
        if (fields.Count == 1 && schema[fields[0]].Type == FieldType.String)
        {
            int index = fields[0];
            return row => row.GetString(index);
        }

        var keyFields = fields.Select(i => (Index: i, schema[i].Type)).ToArray();
        return row =>
        {
            var key = new StringBuilder();
            foreach (var (index, type) in keyFields)
            {
                string text = type switch
                {
                    FieldType.String => row.GetString(index),
                    FieldType.Double => row.GetDouble(index).ToString("R", CultureInfo.InvariantCulture),
                    FieldType.Bool => row.GetBool(index) ? "true" : "false",
                    _ => row.GetLong(index).ToString(CultureInfo.InvariantCulture),
                };
                key.Append(text.Length).Append(':').Append(text);
            }

            return key.ToString();
        };
    }
}
