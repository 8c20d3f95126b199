using System.Buffers;

namespace OrleansStream.Connectors;

/// <summary>
/// Reads the lines owned by one <see cref="FileSplit"/>. Work per call is bounded (by a record count, or a
/// byte budget while counting line numbers) so a reader never holds its grain turn for long.
/// </summary>
internal sealed class FileRangeCursor : IDisposable
{
    /// <summary>Counting line breaks is fast but a range deep into a huge file must not stall a turn.</summary>
    private const long CountBudgetPerRead = 16L << 20;

    private readonly FileSplit _split;
    private readonly bool _numbered;
    private readonly long? _resumeAt;
    private State _state;
    private FileStream? _stream;
    private Utf8LineBuffer? _lines;
    private bool _eof;
    private long _position;
    private long _lineNumber = 1;
    private long _counted;

    public FileRangeCursor(FileSplit split, bool numbered, long? resumeAt)
    {
        _split = split;
        _numbered = numbered;
        _resumeAt = resumeAt;
    }

    private enum State
    {
        Unopened,
        Counting,
        Reading,
        Done,
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public string SplitId => _split.SplitId;

    public bool IsDone => _state == State.Done;

    /// <summary>
    /// The byte offset of the next unread line. Before opening it is the split start (or the resume offset);
    /// resuming from the split start applies the ownership rule again, which gives the same first line.
    /// </summary>
    public long Offset => _state == State.Unopened ? _resumeAt ?? _split.Start : _position;

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

            if (!_lines!.TryTakeLine(out var line, out int consumed))
            {
                if (!_eof)
                {
                    Fill();
                    continue;
                }

                if (_lines.Count == 0)
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

    public void Dispose() => Finish();

    private void Open()
    {
        long start = _resumeAt ?? _split.Start;
        if (start >= _split.End)
        {
            _position = start;
            _state = State.Done;
            return;
        }

        _stream = new FileStream(
            _split.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        _lines = new Utf8LineBuffer();
        if (start > 0 && start == _split.Start)
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
            _stream.Seek(start, SeekOrigin.Begin);
            _position = start;
        }

        _state = _numbered && _position > 0 && _position < _split.End ? State.Counting : State.Reading;
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
        _stream?.Dispose();
        _stream = null;
        _lines = null;
        _state = State.Done;
    }
}
