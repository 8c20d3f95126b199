using System.Collections.Concurrent;
using OrleansStream.Codecs;

namespace OrleansStream.Tests.AsyncIo;

/// <summary>
/// The codec of a stream chained into an async I/O operator: no network edge uses it, so its writes are
/// records the operator checkpointed as not yet emitted, and its reads are those a restored operator called
/// for again. Counted per run (the silos share this process), so a recovery test can prove that it did
/// recover in-flight calls instead of passing without any.
/// </summary>
public sealed class CountingCodec(string run) : IRecordCodec<long>
{
    private static readonly ConcurrentDictionary<string, long> Writes = new();
    private static readonly ConcurrentDictionary<string, long> Reads = new();
    private static readonly IRecordCodec<long> Inner = RecordCodec.For<long>();

    public static long WritesOf(string run) => Writes.GetValueOrDefault(run);

    public static long ReadsOf(string run) => Reads.GetValueOrDefault(run);

    public void Write(PayloadWriter writer, long value)
    {
        Writes.AddOrUpdate(run, 1, (_, n) => n + 1);
        Inner.Write(writer, value);
    }

    public long Read(ref PayloadReader reader)
    {
        Reads.AddOrUpdate(run, 1, (_, n) => n + 1);
        return Inner.Read(ref reader);
    }
}
