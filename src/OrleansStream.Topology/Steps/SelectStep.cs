using OrleansStream.Topology.Expressions;
using OrleansStream.Topology.Rows;
using YamlDotNet.RepresentationModel;
using OrleansStream.Topology.Document;

namespace OrleansStream.Topology.Steps;

/// <summary>
/// <c>type: select</c>: makes new rows whose <c>fields</c> are expressions over the input's fields
/// (<c>host: ip.Split('.')[0]</c>, <c>ip: ip</c> to keep one); each field's type is its expression's.
/// </summary>
internal static class SelectStep
{
    public static RowOutput Add(StepContext step)
    {
        var input = step.Rows();
        var node = step.Step.RequiredValue("fields");
        var path = step.Step.Path.Key("fields");
        var mapping = node as YamlMappingNode ?? throw step.Document.Error(node, path, "expected a mapping of field names to expressions, e.g. 'host: ip.Split('.')[0]'");
        if (mapping.Children.Count == 0)
        {
            throw step.Document.Error(node, path, "needs at least one field");
        }

        var compiler = new RowExpressions(input.Schema);
        var expressions = new List<ParsedExpression>();
        var fields = new List<RowField>();
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string name = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (!RowSchema.IsValidName(name))
            {
                throw step.Document.Error(keyNode, path.Key(name), $"'{name}' is not a valid field name (letters, digits and '_', not starting with a digit)");
            }

            if (fields.Any(f => f.Name == name))
            {
                throw step.Document.Error(keyNode, path.Key(name), $"field '{name}' is selected twice");
            }

            var value = MappingReader.AsScalar(valueNode, path.Key(name), step.Document);
            var parsed = compiler.Parse(StepContext.Known(value), expected: null)!;
            var type = RowExpressions.FieldTypeOf(parsed.Type)
                ?? throw value.Error($"the expression is a {parsed.Type.Name}, which is not a field type (string, long, double, bool, timestamp as DateTime): convert it, e.g. with .ToString()");
            expressions.Add(parsed);
            fields.Add(new RowField(name, type));
        }

        var schema = new RowSchema(fields);
        var project = compiler.CompileProjection(expressions, schema);
        int? parallelism = step.InheritedParallelism;
        var selected = StepContext.WithParallelism(input.Stream.Map(project, step.Name).Uid(step.Name), parallelism).WithCodec(new RowCodec(schema));
        return new RowOutput(selected, schema, input.HasEventTime, step.Name, parallelism);
    }
}
