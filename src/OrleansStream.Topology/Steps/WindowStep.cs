using System.Text.RegularExpressions;
using OrleansStream.Functions;
using OrleansStream.Topology.Document;
using OrleansStream.Topology.Rows;
using OrleansStream.Topology.Sinks;
using OrleansStream.Topology.Windows;
using OrleansStream.Windows;
using YamlDotNet.RepresentationModel;

namespace OrleansStream.Topology.Steps;

/// <summary>
/// <c>type: window</c>: keys the rows by <c>keyBy</c>, cuts them into <c>tumbling</c> or <c>sliding</c> windows of
/// event or processing time, and computes <c>aggregates</c> per key and window. Output rows: <c>window_start</c>,
/// <c>window_end</c>, the key fields, the aggregates. Event-time windows may keep state for <c>allowedLateness</c>
/// and send rows later than that to the <c>late</c> sink.
/// </summary>
internal static partial class WindowStep
{
    public static RowOutput Add(StepContext step)
    {
        var input = step.Rows();
        var settings = step.Step;
        var keyFields = ReadKeys(settings, input.Schema);
        var aggregates = ReadAggregates(settings, input.Schema, keyFields);
        var assigner = ReadAssigner(step, input);
        var schema = WindowRowFactory.Schema(input.Schema, keyFields, aggregates);

        var windowed = input.Stream.KeyBy(WindowKeys.Selector(input.Schema, keyFields)).Window(assigner);
        OutputTag<Row>? lateTag = null;
        MappingReader? lateSink = null;
        if (assigner.IsEventTime)
        {
            if (settings.Scalar("allowedLateness") is { } lateness)
            {
                windowed = windowed.AllowedLateness(lateness.Duration(allowZero: true));
            }

            lateSink = settings.Mapping("late");
            if (lateSink is not null)
            {
                lateTag = new OutputTag<Row>($"{step.Name}-late");
                windowed = windowed.SideOutputLateData(lateTag);
            }
        }

        var factory = new WindowRowFactory(aggregates, keyFields.Count);
        var results = windowed.Aggregate(new RowAggregateFunction(aggregates, keyFields), factory.Create, step.Name).Uid(step.Name).WithCodec(new RowCodec(schema));
        int? parallelism = step.OwnParallelism;
        StepContext.WithParallelism(results, parallelism);
        if (lateTag is not null)
        {
            var late = results.GetSideOutput(lateTag).WithCodec(new RowCodec(input.Schema));
            RowSinks.Add(late, lateSink!, input.Schema, $"{step.Name}-late");
        }

        return new RowOutput(results, schema, HasEventTime: assigner.IsEventTime, step.Name, parallelism);
    }

    private static List<int> ReadKeys(MappingReader settings, RowSchema schema)
    {
        var keys = settings.ScalarList("keyBy") ?? throw settings.Context.Error(settings.Node, settings.Path, "missing required key 'keyBy' (the fields to group by)");
        var indexes = new List<int>();
        foreach (var key in keys)
        {
            int index = schema.IndexOf(StepContext.Known(key).Text!);
            if (index < 0)
            {
                throw key.Error($"keyBy '{key.Text}' is not a field here (fields: {schema.Describe()})");
            }

            if (indexes.Contains(index))
            {
                throw key.Error($"keyBy names '{key.Text}' twice");
            }

            indexes.Add(index);
        }

        return indexes;
    }

    private static WindowAssigner ReadAssigner(StepContext step, RowOutput input)
    {
        var settings = step.Step;
        var windowValue = settings.RequiredScalar("window");
        string window = windowValue.Choice("tumbling", "sliding");
        var timeValue = settings.Scalar("time");
        bool eventTime = (timeValue?.Choice("event", "processing") ?? "event") == "event";
        var size = settings.RequiredScalar("size").Duration(allowZero: false);
        var slide = window == "sliding" ? settings.RequiredScalar("slide").Duration(allowZero: false) : size;
        if (slide > size)
        {
            throw settings.Scalar("slide")!.Error($"the slide ({slide.TotalSeconds} s) is longer than the size ({size.TotalSeconds} s): rows between windows would be lost");
        }

        if (eventTime && !input.HasEventTime)
        {
            throw windowValue.Error($"an event-time window needs event time: add a watermarks step before it (or set time: processing)");
        }

        if (!eventTime && window == "sliding")
        {
            throw windowValue.Error("sliding windows are event-time only here (time: event)");
        }

        return (eventTime, window) switch
        {
            (true, "tumbling") => TumblingEventTimeWindows.Of(size),
            (true, _) => SlidingEventTimeWindows.Of(size, slide),
            _ => TumblingProcessingTimeWindows.Of(size),
        };
    }

    /// <summary><c>aggregates</c>: <c>name: count()</c>, <c>sum(field)</c>, <c>min(field)</c>, <c>max(field)</c>, <c>avg(field)</c>.</summary>
    private static List<AggregateSpec> ReadAggregates(MappingReader settings, RowSchema input, IReadOnlyList<int> keyFields)
    {
        var node = settings.RequiredValue("aggregates");
        var path = settings.Path.Key("aggregates");
        var mapping = node as YamlMappingNode ?? throw settings.Context.Error(node, path, "expected a mapping of output names to aggregates, e.g. 'count: count()'");
        if (mapping.Children.Count == 0)
        {
            throw settings.Context.Error(node, path, "needs at least one aggregate");
        }

        var reserved = keyFields.Select(k => input[k].Name).Concat([WindowRowFactory.WindowStart, WindowRowFactory.WindowEnd]).ToHashSet();
        var aggregates = new List<AggregateSpec>();
        int integers = 0, reals = 0;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string name = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (!RowSchema.IsValidName(name) || reserved.Contains(name) || aggregates.Any(a => a.Name == name))
            {
                throw settings.Context.Error(keyNode, path.Key(name), $"'{name}' cannot name an aggregate: it must be a valid field name, used once, and not window_start, window_end or a key field");
            }

            var value = StepContext.Known(MappingReader.AsScalar(valueNode, path.Key(name), settings.Context));
            var match = AggregatePattern().Match(value.Text!);
            if (!match.Success)
            {
                throw value.Error($"expected count(), sum(field), min(field), max(field) or avg(field), got '{value.Text}'");
            }

            var kind = Enum.Parse<AggregateKind>(match.Groups[1].Value, ignoreCase: true);
            string fieldName = match.Groups[2].Value;
            if (kind == AggregateKind.Count)
            {
                if (fieldName.Length > 0)
                {
                    throw value.Error("count() counts rows and takes no field");
                }

                aggregates.Add(new AggregateSpec(name, kind, -1, FieldType.Long, FieldType.Long, -1));
                continue;
            }

            int field = input.IndexOf(fieldName);
            if (field < 0)
            {
                throw value.Error(fieldName.Length == 0
                    ? $"{kind.ToString().ToLowerInvariant()}() needs a field"
                    : $"'{fieldName}' is not a field here (fields: {input.Describe()})");
            }

            var type = input[field].Type;
            bool allowed = type.IsNumeric() || (type == FieldType.Timestamp && kind is AggregateKind.Min or AggregateKind.Max);
            if (!allowed)
            {
                throw value.Error($"{kind.ToString().ToLowerInvariant()}({fieldName}) needs a numeric field (long or double{(kind is AggregateKind.Min or AggregateKind.Max ? ", or a timestamp" : "")}), but '{fieldName}' is a {type.Name()}");
            }

            var result = kind == AggregateKind.Avg ? FieldType.Double : type;
            bool real = kind == AggregateKind.Avg || type == FieldType.Double;
            aggregates.Add(new AggregateSpec(name, kind, field, type, result, real ? reals++ : integers++));
        }

        return aggregates;
    }

    [GeneratedRegex(@"^\s*(count|sum|min|max|avg)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)?\s*\)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AggregatePattern();
}
