using System.Text.RegularExpressions;
using OrleansStream.Connectors.Files;
using OrleansStream.Connectors.Print;
using OrleansStream.Topology.Document;
using OrleansStream.Topology.Expressions;
using OrleansStream.Topology.Parsing;
using OrleansStream.Topology.Rows;
using OrleansStream.Topology.Sinks;
using YamlDotNet.RepresentationModel;

namespace OrleansStream.Topology.Steps;

/// <summary>
/// <c>type: split | regex | json</c>: parses each line into a row of typed fields. A line that does not
/// parse, or that its <c>where</c> condition refuses, goes to the <c>rejected</c> output with its origin and
/// the reason (to standard error when no <c>rejected</c> sink is set): never dropped without a trace.
/// </summary>
internal static class ParseStep
{
    /// <summary>The fields of a rejected line.</summary>
    public static readonly RowSchema RejectedSchema = new([
        new RowField("source", FieldType.String),
        new RowField("line", FieldType.Long),
        new RowField("reason", FieldType.String),
        new RowField("text", FieldType.String),
    ]);

    public static RowOutput Add(StepContext step)
    {
        var lines = step.Lines();
        var parser = CreateParser(step);
        var (where, whereReason) = ReadWhere(step, parser.Schema);
        int? parallelism = step.InheritedParallelism;

        var parsed = StepContext.WithParallelism(lines.Stream.Map(line => Parse(parser, where, whereReason, line), step.Name).Uid(step.Name), parallelism);
        var rows = StepContext.WithParallelism(parsed.FlatMap<Row>(static (result, output) =>
        {
            if (result.Row is { } row)
            {
                output.Collect(row);
            }
        }, $"{step.Name}/accepted").Uid($"{step.Name}/accepted"), parallelism).WithCodec(new RowCodec(parser.Schema));

        var rejected = StepContext.WithParallelism(parsed.FlatMap<Row>(static (result, output) =>
        {
            if (result.Row is null)
            {
                output.Collect(Rejection(result));
            }
        }, $"{step.Name}/rejected").Uid($"{step.Name}/rejected"), parallelism).WithCodec(new RowCodec(RejectedSchema));

        string sinkName = $"{step.Name}-rejected";
        if (step.Step.Mapping("rejected") is { } sink)
        {
            RowSinks.Add(rejected, sink, RejectedSchema, sinkName, DescribeRejection);
        }
        else
        {
            rejected.SinkTo(new PrintSink<Row>(row => "rejected: " + DescribeRejection(row), Console.Error), sinkName).Uid(sinkName);
        }

        return new RowOutput(rows, parser.Schema, HasEventTime: false, step.Name, parallelism);
    }

    /// <summary><c>{source}:{line}: {reason}: {text}</c>, without the line number when the source has none.</summary>
    public static string DescribeRejection(Row row)
        => row.GetLong(1) > 0
            ? $"{row.GetString(0)}:{row.GetLong(1)}: {row.GetString(2)}: {row.GetString(3)}"
            : $"{row.GetString(0)}: {row.GetString(2)}: {row.GetString(3)}";

    private static ParsedLine Parse(LineParser parser, Func<Row, bool>? where, string whereReason, TextLine line)
    {
        var row = parser.TryParse(line.Text, out string? reason);
        if (row is not null && where is not null)
        {
            try
            {
                if (!where(row))
                {
                    return new ParsedLine(null, line, whereReason);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return new ParsedLine(null, line, $"where failed: {ex.Message}");
            }
        }

        return new ParsedLine(row, line, reason);
    }

    private static Row Rejection(ParsedLine result)
    {
        var row = new Row(4);
        row.SetString(0, result.Line.Path);
        row.SetLong(1, result.Line.LineNumber);
        row.SetString(2, result.Reason ?? "rejected");
        row.SetString(3, result.Line.Text);
        return row;
    }

    private static LineParser CreateParser(StepContext step)
    {
        var settings = step.Step;
        switch (step.Kind)
        {
            case "split":
                string delimiter = settings.Scalar("delimiter") is { } d ? StepContext.Known(d).Text! : ",";
                if (delimiter.Length == 0)
                {
                    throw settings.Context.Error(settings.Value("delimiter")!, settings.Path.Key("delimiter"), "must not be empty");
                }

                bool trim = settings.Scalar("trim")?.Bool(true) ?? true;
                return new SplitLineParser(ReadFields(settings, sourceKey: null), delimiter, trim);
            case "regex":
                var pattern = StepContext.Known(settings.RequiredScalar("pattern"));
                // A backtracking pattern can take exponential time on one line: past the timeout the line is rejected, and the thread is free.
                var timeout = settings.Scalar("matchTimeout")?.Duration(allowZero: false) ?? RegexLineParser.DefaultMatchTimeout;
                Regex regex;
                try
                {
                    regex = new Regex(pattern.Text!, RegexOptions.CultureInvariant | RegexOptions.Compiled, timeout);
                }
                catch (ArgumentException ex)
                {
                    throw pattern.Error($"not a valid regular expression: {ex.Message}", ex);
                }

                var fields = ReadFields(settings, sourceKey: "group");
                var groups = regex.GetGroupNames();
                foreach (var field in fields)
                {
                    if (!groups.Contains(field.Source, StringComparer.Ordinal))
                    {
                        var node = FieldNode(settings, field.Name);
                        throw settings.Context.Error(node, settings.Path.Key("fields").Key(field.Name),
                            $"the pattern has no group named '{field.Source}' (its named groups: {string.Join(", ", groups.Where(g => !int.TryParse(g, out _)))})");
                    }
                }

                return new RegexLineParser(fields, regex);
            default:
                return new JsonLineParser(ReadFields(settings, sourceKey: "path"));
        }
    }

    private static YamlNode FieldNode(MappingReader settings, string name)
        => ((YamlMappingNode)settings.Value("fields")!).Children.First(c => ((YamlScalarNode)c.Key).Value == name).Key;

    /// <summary>
    /// <c>fields</c>: in order, <c>name: type</c> or <c>name: {type, format, group|path}</c>. Timestamps take
    /// <c>format</c> (one or a list, tried in order); regex fields may name another <c>group</c>, JSON fields a <c>path</c>.
    /// </summary>
    private static List<FieldSpec> ReadFields(MappingReader settings, string? sourceKey)
    {
        var node = settings.RequiredValue("fields");
        var fieldsPath = settings.Path.Key("fields");
        var mapping = node as YamlMappingNode ?? throw settings.Context.Error(node, fieldsPath, "expected a mapping of field names to types, e.g. 'ip: string'");
        if (mapping.Children.Count == 0)
        {
            throw settings.Context.Error(node, fieldsPath, "needs at least one field");
        }

        var fields = new List<FieldSpec>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string name = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            var path = fieldsPath.Key(name);
            if (!RowSchema.IsValidName(name))
            {
                throw settings.Context.Error(keyNode, path, $"'{name}' is not a valid field name (letters, digits and '_', not starting with a digit)");
            }

            ScalarValue typeValue;
            IReadOnlyList<ScalarValue>? formats = null;
            string source = name;
            if (valueNode is YamlMappingNode)
            {
                var field = new MappingReader(valueNode, path, settings.Context);
                typeValue = field.RequiredScalar("type");
                formats = field.ScalarList("format");
                if (sourceKey is not null && field.Scalar(sourceKey) is { } custom)
                {
                    source = StepContext.Known(custom).String();
                }

                field.Finish();
            }
            else
            {
                typeValue = MappingReader.AsScalar(valueNode, path, settings.Context);
            }

            if (!FieldTypes.TryParse(StepContext.Known(typeValue).Text!, out var type))
            {
                throw typeValue.Error($"unknown type '{typeValue.Text}' (types: {string.Join(", ", FieldTypes.Names)})");
            }

            if (formats is not null && type != FieldType.Timestamp)
            {
                throw formats[0].Error($"format applies to timestamp fields, but '{name}' is a {type.Name()}");
            }

            var timestamps = type == FieldType.Timestamp ? new TimestampFormat(formats?.Select(f => StepContext.Known(f).String()).ToList() ?? []) : null;
            fields.Add(new FieldSpec(name, type, source, timestamps));
        }

        return fields;
    }

    /// <summary><c>where</c>: a condition the parsed row must meet, or <c>{expression, message}</c> to name the reason.</summary>
    private static (Func<Row, bool>? Where, string Reason) ReadWhere(StepContext step, RowSchema schema)
    {
        var node = step.Step.Value("where");
        if (node is null)
        {
            return (null, string.Empty);
        }

        ScalarValue expression;
        string? message = null;
        if (node is YamlMappingNode)
        {
            var where = new MappingReader(node, step.Step.Path.Key("where"), step.Document);
            expression = where.RequiredScalar("expression");
            message = where.Scalar("message")?.String();
            where.Finish();
        }
        else
        {
            expression = MappingReader.AsScalar(node, step.Step.Path.Key("where"), step.Document);
        }

        var compiler = new RowExpressions(schema);
        var parsed = compiler.Parse(StepContext.Known(expression), typeof(bool))!;
        return (compiler.Compile<bool>(parsed), message ?? $"not accepted by where: {parsed.Text}");
    }
}
