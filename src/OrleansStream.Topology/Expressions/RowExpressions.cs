using System.Linq.Expressions;
using System.Reflection;
using System.Text.RegularExpressions;
using DynamicExpresso;
using DynamicExpresso.Exceptions;
using OrleansStream.Topology.Document;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Topology.Expressions;

/// <summary>
/// Compiles expressions over the fields of a row with DynamicExpresso: each field is a typed variable
/// (string, long, double, bool, DateTime), loaded from the row only when the expression reads it, and the
/// whole step compiles to one delegate over <see cref="Row"/>: no interpretation or boxing per record.
/// </summary>
internal sealed partial class RowExpressions
{
    private static readonly MethodInfo GetString = typeof(Row).GetMethod(nameof(Row.GetString))!;
    private static readonly MethodInfo GetLong = typeof(Row).GetMethod(nameof(Row.GetLong))!;
    private static readonly MethodInfo GetDouble = typeof(Row).GetMethod(nameof(Row.GetDouble))!;
    private static readonly MethodInfo GetBool = typeof(Row).GetMethod(nameof(Row.GetBool))!;
    private static readonly MethodInfo GetDateTime = typeof(Row).GetMethod(nameof(Row.GetDateTime))!;
    private static readonly MethodInfo SetString = typeof(Row).GetMethod(nameof(Row.SetString))!;
    private static readonly MethodInfo SetLong = typeof(Row).GetMethod(nameof(Row.SetLong))!;
    private static readonly MethodInfo SetDouble = typeof(Row).GetMethod(nameof(Row.SetDouble))!;
    private static readonly MethodInfo SetBool = typeof(Row).GetMethod(nameof(Row.SetBool))!;
    private static readonly MethodInfo SetDateTime = typeof(Row).GetMethod(nameof(Row.SetDateTime))!;

    private readonly RowSchema _schema;
    private readonly ParameterExpression _row = Expression.Parameter(typeof(Row), "row");
    private readonly Parameter[] _fields;
    private readonly Dictionary<ParameterExpression, int> _indexes = new();

    public RowExpressions(RowSchema schema)
    {
        _schema = schema;
        _fields = new Parameter[schema.Count];
        for (int i = 0; i < schema.Count; i++)
        {
            var variable = Expression.Variable(schema[i].Type.ClrType(), schema[i].Name);
            _fields[i] = new Parameter(variable);
            _indexes[variable] = i;
        }
    }

    /// <summary>
    /// Parses <paramref name="text"/>, converted to <paramref name="expected"/> when given; null when the text is
    /// deferred (it needs a job parameter without a default, and parameters are not known yet).
    /// </summary>
    public ParsedExpression? Parse(ScalarValue text, Type? expected)
    {
        if (text.Text is not { } source)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(source))
        {
            throw text.Error("the expression is empty");
        }

        var interpreter = new Interpreter(InterpreterOptions.Default);
        ExpressionFunctions.Register(interpreter);
        try
        {
            var lambda = interpreter.Parse(source, expected ?? typeof(void), _fields);
            var used = lambda.UsedParameters.Select(p => p.Expression).ToList();
            return new ParsedExpression(source, ExpressionBounds.Apply(lambda.Expression), used);
        }
        catch (UnknownIdentifierException ex)
        {
            throw text.ErrorAt(ex.Position, $"unknown identifier '{ex.Identifier}' (fields here: {FieldNames()})", ex);
        }
        catch (ParseException ex)
        {
            throw text.ErrorAt(ex.Position, $"{WithoutPosition(ex.Message)} in expression '{source}'", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or DynamicExpressoException or NotSupportedException)
        {
            throw text.Error($"{ex.Message.TrimEnd('.')} in expression '{source}'", ex);
        }
    }

    public Func<Row, T> Compile<T>(ParsedExpression expression)
    {
        var (variables, loads) = Loads([expression]);
        var body = Expression.Block(typeof(T), variables, [.. loads, Expression.Convert(expression.Body, typeof(T))]);
        return Expression.Lambda<Func<Row, T>>(body, _row).Compile();
    }

    /// <summary>One delegate that makes a row of <paramref name="output"/> from the value of each expression, in order.</summary>
    public Func<Row, Row> CompileProjection(IReadOnlyList<ParsedExpression> expressions, RowSchema output)
    {
        var (variables, loads) = Loads(expressions);
        var result = Expression.Variable(typeof(Row), "result");
        var statements = new List<Expression>(loads)
        {
            Expression.Assign(result, Expression.New(typeof(Row).GetConstructor([typeof(int)])!, Expression.Constant(output.Count))),
        };
        for (int i = 0; i < expressions.Count; i++)
        {
            var type = output[i].Type;
            var setter = type switch
            {
                FieldType.String => SetString,
                FieldType.Long => SetLong,
                FieldType.Double => SetDouble,
                FieldType.Bool => SetBool,
                _ => SetDateTime,
            };
            statements.Add(Expression.Call(result, setter, Expression.Constant(i), Expression.Convert(expressions[i].Body, type.ClrType())));
        }

        statements.Add(result);
        var body = Expression.Block(typeof(Row), [.. variables, result], statements);
        return Expression.Lambda<Func<Row, Row>>(body, _row).Compile();
    }

    /// <summary>The field type a value of <paramref name="type"/> is stored as, or null when it is none.</summary>
    public static FieldType? FieldTypeOf(Type type)
    {
        if (type == typeof(string)) return FieldType.String;
        if (type == typeof(bool)) return FieldType.Bool;
        if (type == typeof(DateTime)) return FieldType.Timestamp;
        if (type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(sbyte) || type == typeof(ushort)) return FieldType.Long;
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return FieldType.Double;
        return null;
    }

    private (List<ParameterExpression> Variables, List<Expression> Loads) Loads(IEnumerable<ParsedExpression> expressions)
    {
        var variables = expressions.SelectMany(e => e.UsedFields).Distinct().ToList();
        var loads = new List<Expression>(variables.Count);
        foreach (var variable in variables)
        {
            int index = _indexes[variable];
            var getter = _schema[index].Type switch
            {
                FieldType.String => GetString,
                FieldType.Long => GetLong,
                FieldType.Double => GetDouble,
                FieldType.Bool => GetBool,
                _ => GetDateTime,
            };
            loads.Add(Expression.Assign(variable, Expression.Call(_row, getter, Expression.Constant(index))));
        }

        return (variables, loads);
    }

    private string FieldNames() => _schema.Count == 0 ? "none" : string.Join(", ", _schema.Fields.Select(f => f.Name));

    private static string WithoutPosition(string message) => PositionSuffix().Replace(message, string.Empty);

    [GeneratedRegex(@"\s*\(at index \d+\)\.?$")]
    private static partial Regex PositionSuffix();
}
