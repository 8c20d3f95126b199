using OrleansStream.Api.Connectors;
using OrleansStream.Connectors.Print;

namespace OrleansStream.Tests.Connectors;

public sealed class PrintSinkTests
{
    [Fact]
    public async Task Parallelism2_PrefixesLinesWithTheSubtaskNumber()
    {
        var console = new StringWriter { NewLine = "\n" };
        var sink = new PrintSink<int>(i => $"value {i}", console);

        await using (var writer = sink.CreateWriter(new SinkContext("job", "sink", SubtaskIndex: 1, Parallelism: 2, Attempt: 1)))
        {
            writer.Write(1, 0);
            writer.Write(2, 0);
            Assert.Equal(string.Empty, console.ToString());
            writer.Flush();
            Assert.Equal("2> value 1\n2> value 2\n", console.ToString());
            writer.Write(3, 0);
        }

        Assert.Equal("2> value 1\n2> value 2\n2> value 3\n", console.ToString());
        Assert.Null(sink.RequiredParallelism);
    }

    [Fact]
    public async Task Parallelism1_PrintsLinesWithoutPrefix()
    {
        var console = new StringWriter { NewLine = "\n" };
        var sink = new PrintSink<string?>(writer: console);

        await using (var writer = sink.CreateWriter(new SinkContext("job", "sink", SubtaskIndex: 0, Parallelism: 1, Attempt: 1)))
        {
            writer.Write("a", 0);
            writer.Write(null, 0);
        }

        Assert.Equal("a\nnull\n", console.ToString());
    }
}
