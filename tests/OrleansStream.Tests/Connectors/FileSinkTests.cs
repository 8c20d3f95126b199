using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Files;

namespace OrleansStream.Tests.Connectors;

public sealed class FileSinkTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ToFile_WritesOneLinePerRecordIntoANewDirectory()
    {
        string path = _temp.Combine("out", "nested", "result.txt");
        var sink = FileSink.ToFile<int>(path, i => $"n={i}");

        await using (var writer = sink.CreateWriter(new SinkContext("job", "sink", 0, 1, Attempt: 1)))
        {
            writer.Write(1, 0);
            writer.Write(2, 0);
            writer.Flush();
            Assert.Equal("n=1\nn=2\n", await ReadSharedAsync(path));
            writer.Write(3, 0);
        }

        Assert.Equal(1, sink.RequiredParallelism);
        Assert.Equal("n=1\nn=2\nn=3\n", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task ToFile_OverwritesAnExistingFileWithoutByteOrderMark()
    {
        string path = _temp.Combine("result.txt");
        await File.WriteAllTextAsync(path, "old content that is longer than the new one\n");
        var sink = FileSink.ToFile<string>(path);

        await using (var writer = sink.CreateWriter(new SinkContext("job", "sink", 0, 1, Attempt: 1)))
        {
            writer.Write("é", 0);
        }

        Assert.Equal(new byte[] { 0xC3, 0xA9, (byte)'\n' }, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task ToDirectory_WritesOnePartFilePerSubtask()
    {
        string directory = _temp.Combine("parts");
        var sink = FileSink.ToDirectory<int>(directory);

        var first = sink.CreateWriter(new SinkContext("job", "sink", 0, 2, Attempt: 1));
        var second = sink.CreateWriter(new SinkContext("job", "sink", 1, 2, Attempt: 1));
        first.Write(1, 0);
        second.Write(2, 0);
        first.Write(3, 0);
        await first.DisposeAsync();
        await second.DisposeAsync();

        Assert.Null(sink.RequiredParallelism);
        Assert.Equal(new[] { "part-0", "part-1" }, Directory.GetFiles(directory).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        Assert.Equal("1\n3\n", await File.ReadAllTextAsync(Path.Combine(directory, "part-0")));
        Assert.Equal("2\n", await File.ReadAllTextAsync(Path.Combine(directory, "part-1")));
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
