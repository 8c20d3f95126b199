using OrleansStream.KeyGroups;
using OrleansStream.State;

namespace OrleansStream.Tests.State;

public class KeyedStateTests
{
    private const int MaxParallelism = 128;

    private static OperatorStateStore Store(int parallelism = 1, int subtask = 0, string uid = "op")
        => new(uid, MaxParallelism, KeyGroupRangeAssignment.RangeForOperator(MaxParallelism, parallelism, subtask));

    [Fact]
    public void States_read_and_write_the_current_keys_entry()
    {
        var backend = Store().GetKeyedStateBackend<string>();
        var value = backend.GetValueState<long>("value");
        var list = backend.GetListState<int>("list");
        var map = backend.GetMapState<string, double>("map");

        backend.SetCurrentKey("a");
        value.Update(1);
        list.Add(1);
        list.Add(2);
        map.Put("x", 1.5);
        backend.SetCurrentKey("b");
        Assert.False(value.TryGetValue(out _));
        Assert.Empty(list.Get());
        Assert.True(map.IsEmpty);
        value.Update(7);

        backend.SetCurrentKey("a");
        Assert.Equal(1, value.Value);
        Assert.Equal([1, 2], list.Get());
        Assert.True(map.TryGetValue("x", out var x) && x == 1.5);
        Assert.True(map.Remove("x"));
        Assert.True(map.IsEmpty);
        value.Clear();
        Assert.False(value.TryGetValue(out _));
    }

    [Fact]
    public void The_same_name_with_another_kind_of_state_is_refused()
    {
        var backend = Store().GetKeyedStateBackend<string>();
        backend.GetValueState<long>("count");
        var error = Assert.Throws<InvalidOperationException>(() => backend.GetListState<long>("count"));
        Assert.Contains("'count'", error.Message);
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(4, 2)]
    [InlineData(2, 6)]
    public void A_snapshot_restored_at_another_parallelism_gives_every_key_to_exactly_its_new_owner(int before, int after)
    {
        const int keys = 2_000;
        var chunks = new List<KeyedStateChunk>();
        for (int subtask = 0; subtask < before; subtask++)
        {
            var store = Store(before, subtask);
            var backend = store.GetKeyedStateBackend<string>();
            var value = backend.GetValueState<long>("value");
            var list = backend.GetListState<string>("list");
            var map = backend.GetMapState<int, long>("map");
            for (int i = 0; i < keys; i++)
            {
                var key = $"key-{i}";
                if (!store.KeyGroups.Contains(backend.KeyGroupOf(key)))
                {
                    continue;
                }

                backend.SetCurrentKey(key);
                value.Update(i);
                list.Update([key, key.ToUpperInvariant()]);
                map.Put(i % 7, i * 10L);
            }

            var builder = new KeyedSnapshotBuilder();
            store.SnapshotKeyedState(builder);

            // Small chunks, so that chunks of one old subtask straddle new subtasks' ranges.
            chunks.AddRange(builder.Build(targetChunkBytes: 2_048));
        }

        var restored = new Dictionary<string, int>();
        for (int subtask = 0; subtask < after; subtask++)
        {
            var store = Store(after, subtask);
            foreach (var chunk in chunks)
            {
                KeyedSnapshotBuilder.Restore(chunk.Data, uid => uid == "op" ? store : null);
            }

            var backend = store.GetKeyedStateBackend<string>();
            var value = backend.GetValueState<long>("value");
            var list = backend.GetListState<string>("list");
            var map = backend.GetMapState<int, long>("map");
            for (int i = 0; i < keys; i++)
            {
                var key = $"key-{i}";
                backend.SetCurrentKey(key);
                if (!value.TryGetValue(out long v))
                {
                    Assert.False(store.KeyGroups.Contains(backend.KeyGroupOf(key)), $"{key} lost in subtask {subtask}");
                    continue;
                }

                Assert.True(store.KeyGroups.Contains(backend.KeyGroupOf(key)), $"{key} restored into subtask {subtask}, which does not own it");
                Assert.Equal(i, v);
                Assert.Equal([key, key.ToUpperInvariant()], list.Get());
                Assert.Equal(i * 10L, Assert.Single(map.Entries, e => e.Key == i % 7).Value);
                restored.Add(key, subtask);
            }
        }

        Assert.Equal(keys, restored.Count);
    }

    [Fact]
    public void State_created_after_the_restore_still_gets_its_entries_and_unclaimed_state_is_kept_in_later_snapshots()
    {
        var original = Store();
        var backend = original.GetKeyedStateBackend<long>();
        var a = backend.GetValueState<string>("a");
        var b = backend.GetValueState<string>("b");
        for (long key = 0; key < 100; key++)
        {
            backend.SetCurrentKey(key);
            a.Update($"a{key}");
            b.Update($"b{key}");
        }

        var first = new KeyedSnapshotBuilder();
        original.SnapshotKeyedState(first);

        // Restored before any table exists; only "a" is ever asked for.
        var restored = Store();
        foreach (var chunk in first.Build(1 << 20))
        {
            KeyedSnapshotBuilder.Restore(chunk.Data, _ => restored);
        }

        var restoredBackend = restored.GetKeyedStateBackend<long>();
        var restoredA = restoredBackend.GetValueState<string>("a");
        restoredBackend.SetCurrentKey(42);
        Assert.Equal("a42", restoredA.Value);

        var second = new KeyedSnapshotBuilder();
        restored.SnapshotKeyedState(second);
        var again = Store();
        foreach (var chunk in second.Build(1 << 20))
        {
            KeyedSnapshotBuilder.Restore(chunk.Data, _ => again);
        }

        var againBackend = again.GetKeyedStateBackend<long>();
        var againB = againBackend.GetValueState<string>("b");
        againBackend.SetCurrentKey(99);
        Assert.Equal("b99", againB.Value);
    }

    [Fact]
    public void Window_state_round_trips_with_its_window_ends()
    {
        var original = Store();
        var windows = original.GetKeyedStateBackend<string>().GetWindowState<long>("windows");
        windows.GetOrAdd(10_000, "x", out _) = 3;
        windows.GetOrAdd(10_000, "y", out _) = 1;
        windows.GetOrAdd(15_000, "x", out _) = 5;
        var builder = new KeyedSnapshotBuilder();
        original.SnapshotKeyedState(builder);

        var restored = Store();
        foreach (var chunk in builder.Build(1 << 20))
        {
            KeyedSnapshotBuilder.Restore(chunk.Data, _ => restored);
        }

        var restoredWindows = restored.GetKeyedStateBackend<string>().GetWindowState<long>("windows");
        Assert.True(restoredWindows.TryTakeFirst(long.MaxValue, out long end, out var contents));
        Assert.Equal(10_000, end);
        Assert.Equal(new Dictionary<string, long> { ["x"] = 3, ["y"] = 1 }, contents);
        Assert.True(restoredWindows.TryTakeFirst(long.MaxValue, out end, out contents));
        Assert.Equal(15_000, end);
        Assert.Equal(new Dictionary<string, long> { ["x"] = 5 }, contents);
    }
}
