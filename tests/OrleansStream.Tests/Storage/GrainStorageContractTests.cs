using System.Diagnostics;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansStream.KeyGroups;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Hosting;
using OrleansStream.State;

namespace OrleansStream.Tests.Storage;

/// <summary>
/// What OrleansStream needs from its grain storage, run against each database: state survives an
/// activation, a clear deletes the row, big snapshots fit, stale writers are refused, and many
/// writers at once all get through.
/// </summary>
public abstract class GrainStorageContractTests
{
    protected abstract Task<StorageTestCluster> ClusterAsync();

    /// <summary>How many rows the database holds for a state name and a grain's string key.</summary>
    protected abstract Task<long> CountStateRowsAsync(string stateName, string grainKey);

    [Fact]
    public async Task State_is_read_back_by_a_new_activation_and_clear_deletes_its_row()
    {
        var cluster = await ClusterAsync();
        var key = "roundtrip-" + Guid.NewGuid().ToString("N");
        var grain = cluster.Grains.GetGrain<IStateHolderGrain>(key);

        var empty = await grain.GetAsync();
        Assert.False(empty.RecordExists);
        Assert.Null(empty.ETag);

        await grain.WriteAsync([1, 2, 3]);
        var written = await grain.GetAsync();
        Assert.True(written.RecordExists);
        Assert.NotNull(written.ETag);
        Assert.Equal(1, await CountStateRowsAsync(StateHolderGrain.StateName, key));

        var reread = await InNewActivationAsync(grain, written.Activation);
        Assert.Equal([1, 2, 3], reread.Payload);
        Assert.Equal(1, reread.Writes);
        Assert.Equal(written.ETag, reread.ETag);

        await grain.ClearAsync();
        var cleared = await grain.GetAsync();
        Assert.False(cleared.RecordExists);
        Assert.Null(cleared.ETag);
        Assert.Empty(cleared.Payload);
        Assert.Equal(0, await CountStateRowsAsync(StateHolderGrain.StateName, key));

        var afterClear = await InNewActivationAsync(grain, cleared.Activation);
        Assert.False(afterClear.RecordExists);
        Assert.Equal(0, afterClear.Writes);

        // A cleared state starts over: the first write after a delete is an insert again.
        await grain.WriteAsync([4]);
        Assert.Equal([4], (await InNewActivationAsync(grain, afterClear.Activation)).Payload);
        Assert.Equal(1, await CountStateRowsAsync(StateHolderGrain.StateName, key));
    }

    [Fact]
    public async Task A_payload_of_several_megabytes_round_trips()
    {
        var cluster = await ClusterAsync();
        var grain = cluster.Grains.GetGrain<IStateHolderGrain>("big-" + Guid.NewGuid().ToString("N"));
        var payload = new byte[6 * 1024 * 1024];
        new Random(42).NextBytes(payload);

        await grain.WriteAsync(payload);
        var before = await grain.GetAsync();
        var reread = await InNewActivationAsync(grain, before.Activation);

        Assert.True(payload.AsSpan().SequenceEqual(reread.Payload));
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_fails_and_so_does_a_second_first_write()
    {
        var cluster = await ClusterAsync();
        var storage = cluster.Storage;
        const string stateName = "direct";
        var key = "stale-" + Guid.NewGuid().ToString("N");
        var grainId = GrainId.Create("storage-test", key);

        var held = new HeldState { Payload = [1] };
        var current = new GrainState<HeldState>(held);
        await storage.WriteStateAsync(stateName, grainId, current);
        var firstETag = current.ETag;
        Assert.NotNull(firstETag);

        // Another activation that also believes it writes first loses.
        var secondFirstWriter = new GrainState<HeldState>(new HeldState { Payload = [9] });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(stateName, grainId, secondFirstWriter));

        held.Payload = [2];
        await storage.WriteStateAsync(stateName, grainId, current);
        Assert.NotEqual(firstETag, current.ETag);

        var stale = new GrainState<HeldState>(new HeldState { Payload = [8] }, firstETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(stateName, grainId, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(stateName, grainId, stale));

        var read = new GrainState<HeldState>();
        await storage.ReadStateAsync(stateName, grainId, read);
        Assert.Equal([2], Assert.IsType<HeldState>(read.State).Payload);
        Assert.Equal(current.ETag, read.ETag);

        await storage.ClearStateAsync(stateName, grainId, current);
        Assert.Null(current.ETag);
        Assert.False(current.RecordExists);
        Assert.Equal(0, await CountStateRowsAsync(stateName, key));
    }

    [Fact]
    public async Task Many_grains_write_at_once()
    {
        var cluster = await ClusterAsync();
        const int grains = 32;
        const int writesPerGrain = 8;
        var prefix = "concurrent-" + Guid.NewGuid().ToString("N");
        var holders = Enumerable.Range(0, grains).Select(i => cluster.Grains.GetGrain<IStateHolderGrain>($"{prefix}-{i}")).ToList();
        var payload = new byte[32 * 1024];

        // All calls at once: each grain runs its writes in turn, the grains run side by side.
        await Task.WhenAll(holders.SelectMany(holder => Enumerable.Range(0, writesPerGrain).Select(_ => holder.WriteAsync(payload))));

        var views = await Task.WhenAll(holders.Select(holder => holder.GetAsync()));
        var reread = await Task.WhenAll(holders.Select((holder, i) => InNewActivationAsync(holder, views[i].Activation)));
        Assert.All(reread, view => Assert.Equal(writesPerGrain, view.Writes));
    }

    [Fact]
    public async Task Many_threads_write_through_the_provider_at_once()
    {
        var cluster = await ClusterAsync();
        var storage = cluster.Storage;
        const int writers = 24;
        const int writesPerWriter = 10;
        var prefix = "threads-" + Guid.NewGuid().ToString("N");

        // Straight to the provider from pool threads, around the grain scheduler: as many open
        // connections writing at the same moment as the pool gives threads.
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            var grainId = GrainId.Create("storage-test", $"{prefix}-{i}");
            var held = new HeldState();
            var state = new GrainState<HeldState>(held);
            for (int write = 1; write <= writesPerWriter; write++)
            {
                held.Payload = BitConverter.GetBytes(write);
                held.Writes = write;
                await storage.WriteStateAsync("threads", grainId, state);
            }
        })));

        for (int i = 0; i < writers; i++)
        {
            var read = new GrainState<HeldState>();
            await storage.ReadStateAsync("threads", GrainId.Create("storage-test", $"{prefix}-{i}"), read);
            Assert.Equal(writesPerWriter, Assert.IsType<HeldState>(read.State).Writes);
        }
    }

    [Fact]
    public async Task Checkpoint_chunks_are_written_read_back_and_deleted()
    {
        var cluster = await ClusterAsync();
        var store = new SnapshotStore(cluster.SiloServices(), Options.Create(new OrleansStreamOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<SnapshotStore>.Instance);
        var job = "chunks-" + Guid.NewGuid().ToString("N");
        var handles = new List<KeyedStateHandle>();
        for (int i = 0; i < 3; i++)
        {
            var chunk = new KeyedStateChunk(new KeyGroupRange(i, i), [(byte)i, 42]);
            handles.Add(await store.WriteChunkAsync(SnapshotStore.ChunkKey(job, 1, 0, 0, i), chunk, CancellationToken.None));
        }

        Assert.Equal([1, 42], await store.ReadChunkAsync(handles[1], CancellationToken.None));

        // Every chunk goes, not only the first: expired checkpoints must not pile up in the database.
        await store.DeleteChunksAsync(handles, CancellationToken.None);
        foreach (var handle in handles)
        {
            Assert.Equal(0, await CountStateRowsAsync("chunk", handle.StorageKey));
        }

        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => store.ReadChunkAsync(handles[0], CancellationToken.None));
        Assert.Contains("missing from checkpoint storage", missing.Message);
    }

    /// <summary>Deactivates the grain and reads it again once another activation answers, so the state comes from storage.</summary>
    private static async Task<HeldStateView> InNewActivationAsync(IStateHolderGrain grain, Guid previous)
    {
        await grain.DeactivateAsync();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var view = await grain.GetAsync();
            if (view.Activation != previous)
            {
                return view;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "The grain was not deactivated.");
            await Task.Delay(50);
        }
    }
}
