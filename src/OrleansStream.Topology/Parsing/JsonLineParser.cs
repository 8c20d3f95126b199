using System.Text.Json;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Parsing;

/// <summary>Reads a line as a JSON object; each field is found by its path of property names (<c>a.b.c</c>).</summary>
internal sealed class JsonLineParser(IReadOnlyList<FieldSpec> fields) : LineParser(fields)
{
    private readonly string[][] _paths = fields.Select(f => f.Source.Split('.')).ToArray();

    public override Row? TryParse(string line, out string? reason)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            reason = $"not JSON: {ex.Message}";
            return null;
        }

        using (document)
        {
            var row = new Row(Fields.Count);
            for (int i = 0; i < Fields.Count; i++)
            {
                if (!TryFind(document.RootElement, _paths[i], out var element))
                {
                    reason = $"no value at '{Fields[i].Source}'";
                    return null;
                }

                if (!TrySet(row, i, element, out reason))
                {
                    return null;
                }
            }

            reason = null;
            return row;
        }
    }

    private bool TrySet(Row row, int index, JsonElement element, out string? reason)
    {
        var field = Fields[index];
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return field.TrySet(row, index, element.GetString(), out reason);
            case JsonValueKind.True or JsonValueKind.False when field.Type is FieldType.Bool or FieldType.String:
                return field.TrySet(row, index, element.ValueKind == JsonValueKind.True ? "true" : "false", out reason);
            case JsonValueKind.Number when field.Type is FieldType.Long or FieldType.Double or FieldType.Timestamp or FieldType.String:
                return field.TrySet(row, index, element.GetRawText(), out reason);
            default:
                reason = $"{field.Name} is not a {field.Type.Name()} (JSON {element.ValueKind.ToString().ToLowerInvariant()})";
                return false;
        }
    }

    private static bool TryFind(JsonElement root, string[] path, out JsonElement element)
    {
        element = root;
        foreach (string name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return false;
            }
        }

        return element.ValueKind != JsonValueKind.Null;
    }
}
