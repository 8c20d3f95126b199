using System.Text;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// A growable byte buffer that cuts UTF-8 input into '\n'-terminated lines without a <see cref="TextReader"/>,
/// so that readers know the exact byte length of every line (file offsets) and search with vectorized IndexOf.
/// A line longer than <see cref="MaxLineBytes"/> is refused (<see cref="LineTooLongException"/>) once that many
/// bytes without a line break are buffered, so the buffer never grows past about twice that.
/// </summary>
internal sealed class Utf8LineBuffer(int initialSize = Utf8LineBuffer.DefaultSize)
{
    public const int DefaultSize = 64 * 1024;

    /// <summary>The longest line any line source reads (1 MiB): a source is not a way to make a silo hold gigabytes.</summary>
    public const int MaxLineBytes = 1 << 20;

    private byte[] _buffer = new byte[initialSize];
    private int _start;
    private int _end;

    // Bytes in [_start, _scanned) are known to hold no '\n', so a long line is not searched again after every fill.
    private int _scanned;

    /// <summary>The number of buffered bytes not yet taken.</summary>
    public int Count => _end - _start;

    /// <summary>Free space at the end of the buffer for the next read, made by compacting or growing.</summary>
    public Memory<byte> GetWriteMemory()
    {
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _scanned -= _start;
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were written into <see cref="GetWriteMemory"/>.</summary>
    public void Advance(int count) => _end += count;

    /// <summary>Takes the next complete line; <paramref name="consumed"/> includes its line ending.</summary>
    /// <exception cref="LineTooLongException">More than <see cref="MaxLineBytes"/> are buffered without a line break.</exception>
    public bool TryTakeLine(out ReadOnlySpan<byte> line, out int consumed)
    {
        int index = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf((byte)'\n');
        if (index < 0)
        {
            if (_end - _start > MaxLineBytes)
            {
                throw new LineTooLongException();
            }

            _scanned = _end;
            line = default;
            consumed = 0;
            return false;
        }

        int newline = _scanned + index;
        line = _buffer.AsSpan(_start, newline - _start);
        consumed = newline + 1 - _start;
        Consume(consumed);
        return true;
    }

    /// <summary>Takes whatever is buffered as a last line that has no line ending.</summary>
    public ReadOnlySpan<byte> TakeRest()
    {
        var rest = _buffer.AsSpan(_start, _end - _start);
        Consume(rest.Length);
        return rest;
    }

    /// <summary>
    /// Drops bytes up to and including the next '\n'; returns false (having dropped everything) when the
    /// buffer holds none. Unlike taking a line this never grows the buffer, however long the line is.
    /// </summary>
    public bool TryDiscardThroughNewline(out int consumed)
    {
        int index = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
        consumed = index < 0 ? _end - _start : index + 1;
        Consume(consumed);
        return index >= 0;
    }

    public void Clear() => _start = _end = _scanned = 0;

    /// <summary>Decodes a line, dropping a trailing '\r' so "\r\n" files read like '\n' files.</summary>
    public static string Decode(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return line.IsEmpty ? string.Empty : Encoding.UTF8.GetString(line);
    }

    private void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            Clear();
        }
        else if (_scanned < _start)
        {
            _scanned = _start;
        }
    }
}

/// <summary>A line is longer than <see cref="Utf8LineBuffer.MaxLineBytes"/>; readers say which file and line.</summary>
internal sealed class LineTooLongException() : IOException($"longer than {Utf8LineBuffer.MaxLineBytes:N0} bytes without a line break")
{
    /// <summary>The reader's error: <c>Line 7 of 'access.log' is longer than 1,048,576 bytes without a line break.</c></summary>
    public static InvalidDataException Of(string line, string source) => new($"{line} of {source} is longer than {Utf8LineBuffer.MaxLineBytes:N0} bytes without a line break.");
}
