using System.Text;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Print;

/// <summary>Buffers one subtask's printed lines and hands them to the writer in one call per flush.</summary>
internal sealed class PrintSinkWriter<T>(TextWriter writer, string prefix, Func<T, string> format) : ISinkWriter<T>
{
    /// <summary>Flushes early past this many characters so a slow flush interval cannot grow the buffer without bound.</summary>
    private const int MaxBufferedChars = 64 * 1024;

    private readonly StringBuilder _buffer = new();
    private readonly string _newLine = writer.NewLine;

    public void Write(T value, long timestamp)
    {
        _buffer.Append(prefix).Append(format(value)).Append(_newLine);
        if (_buffer.Length >= MaxBufferedChars)
        {
            Flush();
        }
    }

    public void Flush()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        string text = _buffer.ToString();
        _buffer.Clear();
        lock (PrintSinkLock.Instance)
        {
            writer.Write(text);
            writer.Flush();
        }
    }

    public ValueTask DisposeAsync()
    {
        Flush();
        return ValueTask.CompletedTask;
    }
}
