using System.Buffers;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Reads the lines owned by one <see cref="FileSplit"/>, starting where the split's recorded progress says.
/// Work per call is bounded (by a record count, or a byte budget while counting line numbers) so a reader
/// never holds its grain turn for long.
/// </summary>
internal sealed class FileRangeCursor : IDisposable
{
    /// <summary>Counting line breaks is fast but a range deep into a huge file must not stall a turn.</summary>
    private const long CountBudgetPerRead = 16L << 20;

    private readonly FileSplit _split;
    private readonly bool _numbered;
    private State _state;
    private FileStream? _stream;
    private Utf8LineBuffer? _lines;
    private bool _eof;
    private long _position;
    private long _lineNumber = 1;
    private long _counted;

    public FileRangeCursor(FileSplit split, bool numbered)
    {
        split.Validate();
        _split = split;
        _numbered = numbered;
        if (split.Finished)
        {
            // Not even opened: the file may be gone by now, and nothing of it is read again.
            _state = State.Done;
        }
    }

    private enum State
    {
        Unopened,
        Counting,
        Reading,
        Done,
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public bool IsDone => _state == State.Done;

    /// <summary>The bytes of the range not read yet (the last line may run past the range's end: never below 0).</summary>
    public long PendingBytes => _state switch
    {
        State.Done => 0,
        State.Reading => Math.Max(0, _split.End - _position),
        _ => Math.Max(0, _split.End - (_split.Position ?? _split.Start)),
    };

    /// <summary>The split with the progress up to the last line emitted.</summary>
    public FileSplit Snapshot() => _state switch
    {
        // Nothing was emitted yet, and the first owned line (or its number) may not be known: keep the split as it came.
        State.Unopened or State.Counting => _split,
        State.Reading => _split with { Position = _position, LineNumber = _numbered ? _lineNumber : null },
        _ when _split.Finished => _split,
        _ => _split with { Position = _position, LineNumber = null, Finished = true },
    };

    /// <summary>
    /// Emits at most <paramref name="max"/> lines and returns how many it emitted. Fewer than
    /// <paramref name="max"/> while not <see cref="IsDone"/> means the call spent its byte budget.
    /// </summary>
    public int Read<T>(ISourceOutput<T> output, LineFactory<T> factory, int max)
    {
        if (_state == State.Unopened)
        {
            Open();
        }

        if (_state == State.Counting && !CountLinesBefore())
        {
            return 0;
        }

        int emitted = 0;
        while (_state == State.Reading && emitted < max)
        {
            if (_position >= _split.End)
            {
                Finish();
                break;
            }

            if (!TryTakeLine(out var line, out int consumed))
            {
                if (!_eof)
                {
                    Fill();
                    continue;
                }

                if (_lines!.Count == 0)
                {
                    Finish();
                    break;
                }

                line = _lines.TakeRest();
                consumed = line.Length;
            }

            if (_position == 0 && line.StartsWith(Utf8Bom))
            {
                line = line[Utf8Bom.Length..];
            }

            output.Collect(factory(_split.Path, _lineNumber, Utf8LineBuffer.Decode(line)));
            _position += consumed;
            _lineNumber++;
            emitted++;
        }

        return emitted;
    }

    private bool TryTakeLine(out ReadOnlySpan<byte> line, out int consumed)
    {
        try
        {
            return _lines!.TryTakeLine(out line, out consumed);
        }
        catch (LineTooLongException)
        {
            throw LineTooLongException.Of(_numbered ? $"Line {_lineNumber}" : $"The line at byte {_position:N0}", $"'{_split.Path}'");
        }
    }

    /// <summary>Closes the file but keeps the progress, so a snapshot after disposal still tells the truth.</summary>
    public void Dispose() => Close();

    private void Open()
    {
        long start = _split.Position ?? _split.Start;
        if (start >= _split.End)
        {
            _position = start;
            _state = State.Done;
            return;
        }

        _stream = new FileStream(
            _split.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        _lines = new Utf8LineBuffer();
        if (start > 0 && _split.Position is null)
        {
            // The range owns the lines that start in it: skip to just after the first '\n' at or after start - 1,
            // so a line starting exactly at `start` is kept and a line cut by the boundary is left to the range before.
            _stream.Seek(start - 1, SeekOrigin.Begin);
            _position = start - 1;
            while (true)
            {
                bool found = _lines.TryDiscardThroughNewline(out int consumed);
                _position += consumed;
                if (found || !Fill())
                {
                    break;
                }
            }
        }
        else
        {
            // A recorded position is exactly the start of the next unread line.
            _stream.Seek(start, SeekOrigin.Begin);
            _position = start;
        }

        if (_split.Position is not null && _split.LineNumber is { } lineNumber)
        {
            _lineNumber = lineNumber;
            _state = State.Reading;
        }
        else
        {
            _state = _numbered && _position > 0 && _position < _split.End ? State.Counting : State.Reading;
        }
    }

    /// <summary>Finds the number of the first owned line by counting the line breaks before it, a budget at a time.</summary>
    private bool CountLinesBefore()
    {
        var stream = _stream!;
        stream.Seek(_counted, SeekOrigin.Begin);
        byte[] scratch = ArrayPool<byte>.Shared.Rent(Utf8LineBuffer.DefaultSize);
        try
        {
            long budget = CountBudgetPerRead;
            while (_counted < _position && budget > 0)
            {
                int read = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, _position - _counted));
                if (read == 0)
                {
                    throw new IOException($"The file '{_split.Path}' became shorter while it was being read.");
                }

                _lineNumber += scratch.AsSpan(0, read).Count((byte)'\n');
                _counted += read;
                budget -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }

        if (_counted < _position)
        {
            return false;
        }

        stream.Seek(_position, SeekOrigin.Begin);
        _lines!.Clear();
        _eof = false;
        _state = State.Reading;
        return true;
    }

    private bool Fill()
    {
        int read = _stream!.Read(_lines!.GetWriteMemory().Span);
        if (read == 0)
        {
            _eof = true;
            return false;
        }

        _lines.Advance(read);
        return true;
    }

    private void Finish()
    {
        Close();
        _state = State.Done;
    }

    private void Close()
    {
        _stream?.Dispose();
        _stream = null;
        _lines = null;
    }
}
