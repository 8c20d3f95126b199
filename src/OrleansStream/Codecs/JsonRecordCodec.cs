using System.Text.Json;

namespace OrleansStream.Codecs;

/// <summary>
/// The fallback codec for plain data types (records and classes with public properties). Correct
/// but slower than a hand-written <see cref="IRecordCodec{T}"/>; register one for hot types.
/// </summary>
public sealed class JsonRecordCodec<T> : IRecordCodec<T>
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        IncludeFields = true,
    };

    public void Write(PayloadWriter writer, T value) => writer.WriteBytes(JsonSerializer.SerializeToUtf8Bytes(value, Options));

    public T Read(ref PayloadReader reader) => JsonSerializer.Deserialize<T>(reader.ReadBytes(), Options)!;
}
