namespace OrleansStream.Codecs;

/// <summary>
/// Turns records of one type into bytes and back. Records cross grain boundaries only as bytes written
/// by a codec, so user record types never need Orleans code generation.
/// </summary>
public interface IRecordCodec<T>
{
    void Write(PayloadWriter writer, T value);

    T Read(ref PayloadReader reader);
}
