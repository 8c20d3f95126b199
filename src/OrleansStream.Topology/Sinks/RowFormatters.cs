using OrleansStream.Topology.Document;
using OrleansStream.Topology.Expressions;
using OrleansStream.Topology.Rows;
using OrleansStream.Topology.Steps;

namespace OrleansStream.Topology.Sinks;

/// <summary>How a sink writes a row as text: a <c>format</c> template, a string <c>expression</c>, or the default.</summary>
internal static class RowFormatters
{
    public static Func<Row, string> Read(MappingReader spec, RowSchema schema, Func<Row, string>? defaultFormat)
    {
        var template = spec.Scalar("format");
        var expression = spec.Scalar("expression");
        if (template is not null && expression is not null)
        {
            throw spec.Context.Error(expression.Node, expression.Path, "give either format or expression, not both");
        }

        if (template is not null)
        {
            return RowFormatTemplate.Parse(StepContext.Known(template), schema).Format;
        }

        if (expression is not null)
        {
            var compiler = new RowExpressions(schema);
            var parsed = compiler.Parse(StepContext.Known(expression), typeof(string))!;
            return compiler.Compile<string>(parsed);
        }

        return defaultFormat ?? RowFormatTemplate.AllFields(schema).Format;
    }
}
