using System.Globalization;
using OrleansStream.Api;
using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Postgres;
using OrleansStream.Connectors.Print;
using OrleansStream.Connectors.Redis;
using OrleansStream.Topology.Document;
using OrleansStream.Topology.Rows;
using OrleansStream.Topology.Steps;
using StackExchange.Redis;

namespace OrleansStream.Topology.Sinks;

/// <summary>
/// Adds a sink for rows from its settings: a sink step, or the <c>rejected</c> and <c>late</c> outputs of
/// parse and window steps. Connectors: <c>files</c> (transactional part files), <c>file</c>, <c>print</c>,
/// <c>redis</c>, <c>postgres</c>, <c>discard</c>.
/// </summary>
internal static class RowSinks
{
    public static readonly string[] Connectors = ["files", "file", "print", "redis", "postgres", "discard"];

    public static void Add(DataStream<Row> stream, MappingReader spec, RowSchema schema, string name, Func<Row, string>? defaultFormat = null)
    {
        string connector = spec.RequiredScalar("connector").Choice(Connectors);
        var sink = connector switch
        {
            "files" => Files(spec, schema, defaultFormat),
            "file" => FileSink.ToFile(spec.RequiredScalar("path").FilePath(), RowFormatters.Read(spec, schema, defaultFormat)),
            "print" => Print(spec, schema, defaultFormat),
            "redis" => Redis(spec, schema, defaultFormat),
            "postgres" => Postgres(spec, schema),
            _ => new DiscardingSink<Row>(),
        };
        int? parallelism = spec.Scalar("parallelism")?.Int(1);
        spec.Finish();
        var added = stream.SinkTo(sink, name).Uid(name);
        if (parallelism is { } p)
        {
            added.SetParallelism(p);
        }
    }

    private static ISink<Row> Files(MappingReader spec, RowSchema schema, Func<Row, string>? defaultFormat)
    {
        var sink = FileSink.ForRowFormat(spec.RequiredScalar("path").FilePath(), RowFormatters.Read(spec, schema, defaultFormat));
        if (spec.Scalar("partPrefix") is { } prefix)
        {
            sink = sink.WithPartPrefix(prefix.String());
        }

        if (spec.Scalar("partSuffix") is { } suffix)
        {
            sink = sink.WithPartSuffix(suffix.String());
        }

        return sink;
    }

    private static ISink<Row> Print(MappingReader spec, RowSchema schema, Func<Row, string>? defaultFormat)
    {
        string target = spec.Scalar("target")?.Choice("stdout", "stderr") ?? "stdout";
        return new PrintSink<Row>(RowFormatters.Read(spec, schema, defaultFormat), target == "stderr" ? Console.Error : null);
    }

    private static ISink<Row> Redis(MappingReader spec, RowSchema schema, Func<Row, string>? defaultFormat)
    {
        string connection = spec.RequiredScalar("connection").String();
        string key = spec.RequiredScalar("stream").String();
        if (spec.Has("format") || spec.Has("expression"))
        {
            return RedisStreamSink.Strings(connection, key, RowFormatters.Read(spec, schema, defaultFormat));
        }

        // Without a format every field becomes a field of the entry.
        var fields = schema.Fields.ToArray();
        return RedisStreamSink.Create<Row>(connection, key, row =>
        {
            var entry = new NameValueEntry[fields.Length];
            for (int i = 0; i < fields.Length; i++)
            {
                entry[i] = new NameValueEntry(fields[i].Name, Text(row, i, fields[i].Type));
            }

            return entry;
        });
    }

    private static ISink<Row> Postgres(MappingReader spec, RowSchema schema)
    {
        string connection = spec.RequiredScalar("connection").String();
        var table = spec.RequiredScalar("table");
        var columns = spec.ScalarList("columns")?.Select(c => (Value: StepContext.Known(c), Index: schema.IndexOf(c.Text!))).ToList();
        if (columns?.FirstOrDefault(c => c.Index < 0) is { Value: not null } unknown)
        {
            throw unknown.Value.Error($"'{unknown.Value.Text}' is not a field here (fields: {schema.Describe()})");
        }

        var indexes = columns?.Select(c => c.Index).ToArray() ?? Enumerable.Range(0, schema.Count).ToArray();
        var names = indexes.Select(i => schema[i].Name).ToList();
        var types = indexes.Select(i => schema[i].Type).ToArray();
        try
        {
            return PostgresSink.ForTable<Row>(connection, table.String(), names, row =>
            {
                var values = new object?[indexes.Length];
                for (int i = 0; i < indexes.Length; i++)
                {
                    values[i] = row.GetObject(indexes[i], types[i]);
                }

                return values;
            });
        }
        catch (ArgumentException ex)
        {
            throw table.Error(ex.Message, ex);
        }
    }

    private static string Text(Row row, int index, FieldType type) => type switch
    {
        FieldType.String => row.GetString(index),
        FieldType.Long => row.GetLong(index).ToString(CultureInfo.InvariantCulture),
        FieldType.Double => row.GetDouble(index).ToString("R", CultureInfo.InvariantCulture),
        FieldType.Bool => row.GetBool(index) ? "true" : "false",
        _ => row.GetDateTime(index).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };
}
