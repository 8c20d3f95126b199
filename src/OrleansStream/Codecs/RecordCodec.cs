using System.Runtime.CompilerServices;

namespace OrleansStream.Codecs;

/// <summary>
/// Resolves the codec for a record type: one registered with <see cref="Register{T}"/>, a built-in
/// codec for primitives, strings, tuples and engine result types, a compiled binary codec for
/// positional records of up to four members, else JSON for other plain data types.
/// </summary>
public static class RecordCodec
{
    // Weak in the type: a codec registered by an uploaded job for one of its own types must not keep
    // the job's collectible load context alive after the job ends.
    private static readonly ConditionalWeakTable<Type, object> Registered = new();

    /// <summary>Makes <paramref name="codec"/> the codec of <typeparamref name="T"/> in this process.</summary>
    public static void Register<T>(IRecordCodec<T> codec) => Registered.AddOrUpdate(typeof(T), codec);

    public static IRecordCodec<T> For<T>() => Cache<T>.Instance;

    private static class Cache<T>
    {
        public static readonly IRecordCodec<T> Instance = (IRecordCodec<T>)Resolve(typeof(T));
    }

    private static object Resolve(Type type)
    {
        if (Registered.TryGetValue(type, out var registered)) return registered;
        if (type == typeof(string)) return new StringCodec();
        if (type == typeof(int)) return new Int32Codec();
        if (type == typeof(long)) return new Int64Codec();
        if (type == typeof(double)) return new DoubleCodec();
        if (type == typeof(bool)) return new BooleanCodec();
        if (type == typeof(DateTime)) return new DateTimeCodec();
        if (type == typeof(TimeSpan)) return new TimeSpanCodec();
        if (type == typeof(Guid)) return new GuidCodec();
        if (type == typeof(byte[])) return new ByteArrayCodec();
        if (type == typeof(Windows.TimeWindow)) return new TimeWindowCodec();
        if (type == typeof(State.VoidNamespace)) return new VoidNamespaceCodec();

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            Type? composite = definition switch
            {
                _ when definition == typeof(ValueTuple<,>) => typeof(ValueTupleCodec<,>),
                _ when definition == typeof(ValueTuple<,,>) => typeof(ValueTupleCodec<,,>),
                _ when definition == typeof(KeyValuePair<,>) => typeof(KeyValuePairCodec<,>),
                _ when definition == typeof(Windows.WindowResult<,>) => typeof(WindowResultCodec<,>),
                _ when definition == typeof(State.CoGroupBuffers<,>) => typeof(State.CoGroupBuffersCodec<,>),
                _ when definition == typeof(List<>) && arguments[0].IsGenericType && arguments[0].GetGenericTypeDefinition() == typeof(Windows.TimestampedValue<>)
                    => typeof(WindowElementsCodec<>),
                _ => null,
            };
            if (composite == typeof(WindowElementsCodec<>))
            {
                return Activator.CreateInstance(composite.MakeGenericType(arguments[0].GetGenericArguments()))!;
            }

            if (composite is not null)
            {
                return Activator.CreateInstance(composite.MakeGenericType(arguments))!;
            }
        }

        return PositionalRecordCodec.TryCreate(type)
            ?? Activator.CreateInstance(typeof(JsonRecordCodec<>).MakeGenericType(type))!;
    }
}
