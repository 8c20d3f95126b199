using System.Text;
using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Writes one subtask's lines into a hidden in-progress part file per transaction. The file is opened on the
/// first record after a pre-commit, so a checkpoint without records stages nothing.
/// </summary>
internal sealed class RowFormatFileSinkWriter<T>(string directory, PartFileNames names, SinkContext context, Func<T, string> format)
    : ITransactionalSinkWriter<T>
{
    private const int BufferSize = 64 * 1024;

    private static readonly UTF8Encoding s_utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private StreamWriter? _writer;
    private FileStream? _stream;
    private string? _inProgressPath;
    private long _counter;

    public void Write(T value, long timestamp)
    {
        var writer = _writer ?? Open();
        writer.Write(format(value));
        writer.Write('\n');
    }

    /// <summary>Hands buffered lines to the operating system; they stay invisible until their checkpoint commits.</summary>
    public void Flush() => _writer?.Flush();

    public byte[]? PrepareCommit(long checkpointId)
    {
        if (_writer is null)
        {
            return null;
        }

        string inProgress = _inProgressPath!;
        string final = Path.Combine(directory, names.Final(context, _counter));
        _writer.Flush();

        // Pre-committed data must survive a crash of the machine, since the checkpoint will claim it exists.
        _stream!.Flush(flushToDisk: true);
        _writer.Dispose();
        _writer = null;
        _stream = null;
        _inProgressPath = null;
        _counter++;
        return new PartFileCommittable(inProgress, final).Encode();
    }

    /// <summary>Deletes the part file still being written: it belongs to no checkpoint and would never be committed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_writer is { } writer)
        {
            string path = _inProgressPath!;
            _writer = null;
            _stream = null;
            _inProgressPath = null;
            await writer.DisposeAsync();
            File.Delete(path);
        }
    }

    private StreamWriter Open()
    {
        string path = Path.Combine(directory, names.InProgress(context, _counter));

        // CreateNew: an existing file with this name was staged by another writer of the same attempt and subtask;
        // failing is better than overwriting data a checkpoint may refer to.
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, BufferSize);
        _inProgressPath = path;
        _writer = new StreamWriter(_stream, s_utf8NoBom) { NewLine = "\n" };
        return _writer;
    }
}
