using System.Linq.Expressions;

namespace OrleansStream.Topology.Expressions;

/// <summary>An expression parsed against a row schema: its body and the field variables it reads.</summary>
internal sealed record ParsedExpression(string Text, Expression Body, IReadOnlyList<ParameterExpression> UsedFields)
{
    public Type Type => Body.Type;
}
