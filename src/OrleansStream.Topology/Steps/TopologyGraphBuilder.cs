using OrleansStream.Api;
using OrleansStream.Codecs;
using OrleansStream.Topology.Rows;
using OrleansStream.Topology.Document;
using YamlDotNet.RepresentationModel;

namespace OrleansStream.Topology.Steps;

/// <summary>
/// Adds a topology's steps to a <see cref="StreamBuilder"/> in document order. The same code validates at
/// parse time (into a scratch builder, without parameters) and builds the job (with them), so whatever
/// parsing accepts, building accepts too, given the parameters.
/// </summary>
internal sealed class TopologyGraphBuilder(YamlNode root, DocumentContext context)
{
    private static readonly string[] Kinds = ["source", "split", "regex", "json", "filter", "select", "watermarks", "window", "sink"];

    static TopologyGraphBuilder()
    {
        // Every stream of rows is given its schema's codec; this one is only met if a step forgot to, and says so.
        RecordCodec.Register<Row>(new UnsetRowCodec());
    }

    public void AddTo(StreamBuilder builder)
    {
        var document = new MappingReader(root, FieldPath.Root, context);
        JobSettings.Apply(document, builder);
        var stepsNode = document.RequiredValue("steps");
        document.Finish();
        var stepsPath = FieldPath.Root.Key("steps");
        if (stepsNode is not YamlSequenceNode { Children.Count: > 0 } steps)
        {
            throw context.Error(stepsNode, stepsPath, "expected a list of steps, starting with a source");
        }

        if (steps.Children.Count > context.Limits.MaxSteps)
        {
            throw context.Error(stepsNode, stepsPath, $"{steps.Children.Count:N0} steps; a topology has at most {context.Limits.MaxSteps:N0}");
        }

        var outputs = new Dictionary<string, StepOutput>(StringComparer.Ordinal);
        StepOutput? previous = null;
        for (int i = 0; i < steps.Children.Count; i++)
        {
            var node = steps.Children[i];
            var path = stepsPath.Index(i);
            var first = new MappingReader(node, path, context);
            string kind = first.RequiredScalar("type").Choice(Kinds);
            string name = first.Scalar("name") is { } given ? StepContext.Known(given).String() : $"{kind}-{i}";
            var described = path.Described($"{kind} '{name}'");
            var step = new MappingReader(node, described, context);
            step.Scalar("type");
            var nameValue = step.Scalar("name");
            if (outputs.ContainsKey(name))
            {
                throw context.Error(nameValue?.Node ?? node, described.Key("name"), $"another step is named '{name}': step names are operator uids and must be unique");
            }

            var input = kind == "source" ? null : ReadInput(step, outputs, previous);
            var output = Add(new StepContext(builder, step, kind, name, input));
            step.Finish();
            outputs[name] = output;
            previous = output;
        }
    }

    private StepOutput ReadInput(MappingReader step, Dictionary<string, StepOutput> outputs, StepOutput? previous)
    {
        if (step.Scalar("input") is { } input)
        {
            string name = StepContext.Known(input).String();
            return outputs.TryGetValue(name, out var named) && named is not SinkOutput
                ? named
                : throw input.Error($"no step before this one is named '{name}' (or it is a sink)");
        }

        return previous is null or SinkOutput
            ? throw context.Error(step.Node, step.Path, "this step has no input: the step before it is a sink (or there is none); name one with 'input'")
            : previous;
    }

    private StepOutput Add(StepContext step)
    {
        try
        {
            return step.Kind switch
            {
                "source" => SourceStep.Add(step),
                "split" or "regex" or "json" => ParseStep.Add(step),
                "filter" => FilterStep.Add(step),
                "select" => SelectStep.Add(step),
                "watermarks" => WatermarksStep.Add(step),
                "window" => WindowStep.Add(step),
                _ => SinkStep.Add(step),
            };
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // What the DataStream API or a connector refuses, reported at the step.
            throw step.Error(ex.Message, ex);
        }
    }
}
