using System.Linq.Expressions;
using System.Reflection;

namespace OrleansStream.Codecs;

/// <summary>
/// Binary codecs for positional records and similar types (a public constructor whose parameters
/// match public properties by name and type) with up to four members that all have codecs. Getters
/// and the constructor are compiled once, so a record costs what its members cost: much faster than
/// the JSON fallback, and no code for the user to write.
/// </summary>
internal static class PositionalRecordCodec
{
    public static object? TryCreate(Type type)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToList();
        var constructor = type.GetConstructors()
            .Where(c => c.GetParameters().Length is >= 1 and <= 4)
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault(c => c.GetParameters().All(p => properties.Any(m => Matches(m, p))) && c.GetParameters().Length == properties.Count);
        if (constructor is null)
        {
            return null;
        }

        var parameters = constructor.GetParameters();
        var members = parameters.Select(p => properties.First(m => Matches(m, p))).ToArray();
        var types = parameters.Select(p => p.ParameterType).ToArray();
        var definition = types.Length switch
        {
            1 => typeof(PositionalRecordCodec<,>),
            2 => typeof(PositionalRecordCodec<,,>),
            3 => typeof(PositionalRecordCodec<,,,>),
            _ => typeof(PositionalRecordCodec<,,,,>),
        };
        var codecType = definition.MakeGenericType([type, .. types]);
        var getters = members.Select((m, i) => Getter(type, m, types[i])).ToArray();
        return Activator.CreateInstance(codecType, [.. getters, Constructor(constructor, type, types)]);
    }

    private static bool Matches(PropertyInfo property, ParameterInfo parameter)
        => string.Equals(property.Name, parameter.Name, StringComparison.OrdinalIgnoreCase) && property.PropertyType == parameter.ParameterType;

    private static Delegate Getter(Type owner, PropertyInfo property, Type type)
    {
        var instance = Expression.Parameter(owner);
        return Expression.Lambda(typeof(Func<,>).MakeGenericType(owner, type), Expression.Property(instance, property), instance).Compile();
    }

    private static Delegate Constructor(ConstructorInfo constructor, Type owner, Type[] types)
    {
        var arguments = types.Select(Expression.Parameter).ToArray();
        var funcType = Expression.GetFuncType([.. types, owner]);
        return Expression.Lambda(funcType, Expression.New(constructor, arguments), arguments).Compile();
    }
}

internal sealed class PositionalRecordCodec<T, T1>(Func<T, T1> get1, Func<T1, T> create) : IRecordCodec<T>
{
    private readonly IRecordCodec<T1> _c1 = RecordCodec.For<T1>();

    public void Write(PayloadWriter writer, T value) => _c1.Write(writer, get1(value));

    public T Read(ref PayloadReader reader) => create(_c1.Read(ref reader));
}

internal sealed class PositionalRecordCodec<T, T1, T2>(Func<T, T1> get1, Func<T, T2> get2, Func<T1, T2, T> create) : IRecordCodec<T>
{
    private readonly IRecordCodec<T1> _c1 = RecordCodec.For<T1>();
    private readonly IRecordCodec<T2> _c2 = RecordCodec.For<T2>();

    public void Write(PayloadWriter writer, T value)
    {
        _c1.Write(writer, get1(value));
        _c2.Write(writer, get2(value));
    }

    public T Read(ref PayloadReader reader)
    {
        var v1 = _c1.Read(ref reader);
        return create(v1, _c2.Read(ref reader));
    }
}

internal sealed class PositionalRecordCodec<T, T1, T2, T3>(Func<T, T1> get1, Func<T, T2> get2, Func<T, T3> get3, Func<T1, T2, T3, T> create) : IRecordCodec<T>
{
    private readonly IRecordCodec<T1> _c1 = RecordCodec.For<T1>();
    private readonly IRecordCodec<T2> _c2 = RecordCodec.For<T2>();
    private readonly IRecordCodec<T3> _c3 = RecordCodec.For<T3>();

    public void Write(PayloadWriter writer, T value)
    {
        _c1.Write(writer, get1(value));
        _c2.Write(writer, get2(value));
        _c3.Write(writer, get3(value));
    }

    public T Read(ref PayloadReader reader)
    {
        var v1 = _c1.Read(ref reader);
        var v2 = _c2.Read(ref reader);
        return create(v1, v2, _c3.Read(ref reader));
    }
}

internal sealed class PositionalRecordCodec<T, T1, T2, T3, T4>(Func<T, T1> get1, Func<T, T2> get2, Func<T, T3> get3, Func<T, T4> get4, Func<T1, T2, T3, T4, T> create) : IRecordCodec<T>
{
    private readonly IRecordCodec<T1> _c1 = RecordCodec.For<T1>();
    private readonly IRecordCodec<T2> _c2 = RecordCodec.For<T2>();
    private readonly IRecordCodec<T3> _c3 = RecordCodec.For<T3>();
    private readonly IRecordCodec<T4> _c4 = RecordCodec.For<T4>();

    public void Write(PayloadWriter writer, T value)
    {
        _c1.Write(writer, get1(value));
        _c2.Write(writer, get2(value));
        _c3.Write(writer, get3(value));
        _c4.Write(writer, get4(value));
    }

    public T Read(ref PayloadReader reader)
    {
        var v1 = _c1.Read(ref reader);
        var v2 = _c2.Read(ref reader);
        var v3 = _c3.Read(ref reader);
        return create(v1, v2, v3, _c4.Read(ref reader));
    }
}
