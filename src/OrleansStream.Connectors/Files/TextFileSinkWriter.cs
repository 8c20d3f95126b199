using System.Text;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Writes lines through a 64 KiB file buffer. <see cref="Flush"/> hands the buffer to the operating system
/// (readers see the lines) but does not force them to disk, which would make periodic flushes expensive.
/// </summary>
internal sealed class TextFileSinkWriter<T> : ISinkWriter<T>
{
    private const int BufferSize = 64 * 1024;

    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly StreamWriter _writer;
    private readonly Func<T, string> _format;

    public TextFileSinkWriter(string path, Func<T, string> format)
    {
        _format = format;
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, BufferSize);
        _writer = new StreamWriter(stream, s_utf8NoBom) { NewLine = "\n" };
    }

    public void Write(T value, long timestamp)
    {
        _writer.Write(_format(value));
        _writer.Write('\n');
    }

    public void Flush() => _writer.Flush();

    public async ValueTask DisposeAsync() => await _writer.DisposeAsync();
}
