using System.Linq.Expressions;
using System.Reflection;

namespace OrleansStream.Topology.Expressions;

/// <summary>
/// Keeps what an expression can do to one record bounded, so that no topology can exhaust a silo's memory
/// (<c>new string('a', 1000000000).Replace("a", "bb")</c> once took a silo to 16 GB). Expressions have no
/// loops, so their cost is bounded by the sizes of the values they make; this rewrite bounds those:
/// <list type="bullet">
/// <item>only members of the value types expressions are about may be called (strings, numbers, times,
/// <c>Math</c>, <c>Convert</c>, arrays, LINQ over arrays, our functions);</item>
/// <item>the members whose result can be far longer than their inputs (a string of a count, padding,
/// <c>Replace</c>, <c>Join</c>, a number format with a precision) go through <see cref="ExpressionLimits"/>,
/// which checks the result's length before anything is allocated.</item>
/// </list>
/// </summary>
internal sealed class ExpressionBounds : ExpressionVisitor
{
    private static readonly HashSet<Type> CallableTypes =
    [
        typeof(object), typeof(ValueType), typeof(string), typeof(char), typeof(bool),
        typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(decimal), typeof(DateTime), typeof(TimeSpan), typeof(Guid),
        typeof(Math), typeof(Convert), typeof(Array), typeof(Enumerable), typeof(MemoryExtensions),
    ];

    private static readonly HashSet<Type> ConstructibleTypes = [typeof(DateTime), typeof(TimeSpan), typeof(Guid)];

    private static readonly string[] Generators = [nameof(Enumerable.Repeat), nameof(Enumerable.Range)];

    private ExpressionBounds()
    {
    }

    /// <summary>The expression with its generating members checked at run time.</summary>
    /// <exception cref="NotSupportedException">It calls or makes something expressions may not; the message says what.</exception>
    public static Expression Apply(Expression expression) => new ExpressionBounds().Visit(expression);

    protected override Expression VisitNew(NewExpression node)
    {
        var arguments = Visit(node.Arguments);
        if (node.Type == typeof(string))
        {
            var parameters = node.Constructor!.GetParameters();
            if (parameters is [{ ParameterType: var c }, { ParameterType: var n }] && c == typeof(char) && n == typeof(int))
            {
                return Expression.Call(Limit(nameof(ExpressionLimits.Repeat)), arguments);
            }

            return node.Update(arguments);
        }

        if (!ConstructibleTypes.Contains(node.Type))
        {
            throw new NotSupportedException($"making a {node.Type.Name} with 'new' is not allowed in expressions");
        }

        return node.Update(arguments);
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        var method = node.Method;
        var instance = Visit(node.Object);
        var arguments = Visit(node.Arguments);
        if (method.DeclaringType is { } declaring && declaring.IsSubclassOf(typeof(Delegate)) && instance is ConstantExpression)
        {
            // One of our functions (ExpressionFunctions), which DynamicExpresso calls through its delegate.
            return node.Update(instance, arguments);
        }

        if (method.DeclaringType is not { } type || !CallableTypes.Contains(type) || (type == typeof(Enumerable) && Generators.Contains(method.Name)))
        {
            throw new NotSupportedException($"'{method.DeclaringType?.Name}.{method.Name}' may not be called in expressions");
        }

        if (type == typeof(string))
        {
            var parameters = method.GetParameters().Select(p => p.ParameterType).ToArray();
            switch (method.Name)
            {
                case nameof(string.PadLeft) or nameof(string.PadRight):
                    // PadLeft(width) or PadLeft(width, char): the result's length is the width.
                    return Expression.Call(Limit(method.Name), [instance!, arguments[0], arguments.Count == 2 ? arguments[1] : Expression.Constant(' ')]);
                case nameof(string.Replace) when parameters.SequenceEqual([typeof(string), typeof(string)]):
                    return Expression.Call(Limit(nameof(ExpressionLimits.Replace)), instance!, arguments[0], arguments[1]);
                case nameof(string.Replace) when parameters.SequenceEqual([typeof(char), typeof(char)]):
                    return node.Update(instance, arguments);
                case nameof(string.Replace):
                    throw new NotSupportedException("only Replace(string, string) and Replace(char, char) may be called in expressions");
                case nameof(string.Join) when parameters is [var separator, var values] && typeof(IEnumerable<string>).IsAssignableFrom(values) && (separator == typeof(string) || separator == typeof(char)):
                    return Expression.Call(Limit(nameof(ExpressionLimits.Join)), Expression.Convert(arguments[0], typeof(object)), Expression.Convert(arguments[1], typeof(IEnumerable<string>)));
                case nameof(string.Join):
                    throw new NotSupportedException("only Join(separator, strings) may be called in expressions");
                case nameof(string.Format):
                    throw new NotSupportedException("'string.Format' may not be called in expressions: build the string with + and ToString(format)");
            }
        }

        if (method.Name == nameof(ToString) && method.GetParameters() is [{ ParameterType: var format }, ..] && format == typeof(string))
        {
            // ToString("N999999999") would make a billion digits: the format is checked first.
            return node.Update(instance, [Expression.Call(Limit(nameof(ExpressionLimits.Format)), arguments[0]), .. arguments.Skip(1)]);
        }

        return node.Update(instance, arguments);
    }

    private static MethodInfo Limit(string name) => typeof(ExpressionLimits).GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;
}
