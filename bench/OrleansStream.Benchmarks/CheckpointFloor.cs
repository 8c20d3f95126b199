using System.Diagnostics;
using OrleansStream.Codecs;
using OrleansStream.KeyGroups;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.State;

namespace OrleansStream.Benchmarks;

/// <summary>What the floor of a checkpoint of N keys measured: serializing on one thread, writing with one writer.</summary>
internal sealed record CheckpointFloorResult(TimeSpan Serialize, TimeSpan Write, long Bytes);

/// <summary>
/// The baseline of a checkpoint: the same entries (an IP string and a long per key) written with the
/// engine's codecs into chunks of the engine's chunk size by one plain loop, then stored one chunk after
/// another through the silo's snapshot store, the path the engine's chunks take. No key groups, no
/// operator, no barrier, no job grain: what any snapshot of this state costs at least.
/// </summary>
internal static class CheckpointFloor
{
    public static async Task<CheckpointFloorResult> MeasureAsync(SnapshotStore store, long keys, int chunkBytes)
    {
        var state = new Dictionary<string, long>((int)keys);
        for (long key = 0; key < keys; key++)
        {
            // Counts as small as the job's: a key seen once or twice by the time its state is full.
            state[BenchIps.Of(key)] = 1;
        }

        var keyCodec = RecordCodec.For<string>();
        var countCodec = RecordCodec.For<long>();
        var clock = Stopwatch.StartNew();
        var chunks = new List<byte[]>();
        var writer = new PayloadWriter(chunkBytes + 1024);
        foreach (var (key, count) in state)
        {
            keyCodec.Write(writer, key);
            countCodec.Write(writer, count);
            if (writer.Length >= chunkBytes)
            {
                chunks.Add(writer.ToArray());
                writer.Reset();
            }
        }

        if (writer.Length > 0)
        {
            chunks.Add(writer.ToArray());
        }

        var serialize = clock.Elapsed;
        clock.Restart();
        string job = $"floor-{Guid.NewGuid():N}";
        var handles = new List<KeyedStateHandle>(chunks.Count);
        for (int i = 0; i < chunks.Count; i++)
        {
            var chunk = new KeyedStateChunk(new KeyGroupRange(0, 0), chunks[i]);
            handles.Add(await store.WriteChunkAsync(SnapshotStore.ChunkKey(job, 1, 0, 0, i), chunk, CancellationToken.None));
        }

        var write = clock.Elapsed;
        await store.DeleteChunksAsync(handles, CancellationToken.None);
        return new CheckpointFloorResult(serialize, write, chunks.Sum(c => (long)c.Length));
    }
}
