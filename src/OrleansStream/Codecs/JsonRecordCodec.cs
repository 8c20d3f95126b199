using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansStream.Codecs;

/// <summary>
/// The fallback codec for plain data types (records and classes with public properties). Correct
/// but slower than a hand-written <see cref="IRecordCodec{T}"/>; register one for hot types.
/// </summary>
public sealed class JsonRecordCodec<T> : IRecordCodec<T>
{
    private static readonly JsonSerializerOptions Options = PrivateJsonOptions.Create(includeFields: true);

    public void Write(PayloadWriter writer, T value) => writer.WriteBytes(JsonSerializer.SerializeToUtf8Bytes(value, Options));

    public T Read(ref PayloadReader reader) => JsonSerializer.Deserialize<T>(reader.ReadBytes(), Options)!;
}

/// <summary>
/// JSON options whose metadata cache belongs to one type's codec. System.Text.Json shares one cache
/// among all options instances with equal settings; shared, the cache of a silo-wide static (a
/// codec of an engine type) would keep the types of an uploaded job's assembly, and with them its
/// collectible load context, alive after the job ends. A resolver instance of their own makes
/// options unequal to all others, so a job type's metadata lives and dies with the codec of that
/// type, which is itself part of the job's load context.
/// </summary>
internal static class PrivateJsonOptions
{
    public static JsonSerializerOptions Create(bool includeFields = false) => new(JsonSerializerDefaults.General)
    {
        IncludeFields = includeFields,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };
}
