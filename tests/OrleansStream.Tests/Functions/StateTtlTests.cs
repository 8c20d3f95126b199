using OrleansStream.KeyGroups;
using OrleansStream.State;
using OrleansStream.Tests.Model;

namespace OrleansStream.Tests.Functions;

public class StateTtlTests
{
    private static readonly StateTtlConfig TenSeconds = new(TimeSpan.FromSeconds(10));

    private static (KeyedStateBackend<string> Backend, OperatorStateStore Store, ManualClock Clock) Backend(long now = 1_000_000)
    {
        var store = new OperatorStateStore("op", 128, new KeyGroupRange(0, 127));
        return (store.GetKeyedStateBackend<string>(), store, new ManualClock(now));
    }

    [Fact]
    public void A_value_expires_its_ttl_after_the_last_write_and_reads_do_not_extend_it_by_default()
    {
        var (backend, _, clock) = Backend();
        var state = backend.GetValueState<long>("v", TenSeconds, clock);
        backend.SetCurrentKey("a");
        state.Update(1);
        clock.Now += 9_999;
        Assert.Equal(1, state.Value);
        clock.Now += 1;
        Assert.False(state.TryGetValue(out _));

        state.Update(2);
        clock.Now += 5_000;
        state.Update(3);
        clock.Now += 9_999;
        Assert.Equal(3, state.Value);
    }

    [Fact]
    public void With_on_read_and_write_a_read_restarts_the_ttl()
    {
        var (backend, _, clock) = Backend();
        var state = backend.GetValueState<long>("v", TenSeconds with { UpdateType = StateTtlUpdateType.OnReadAndWrite }, clock);
        backend.SetCurrentKey("a");
        state.Update(1);
        for (int i = 0; i < 5; i++)
        {
            clock.Now += 9_000;
            Assert.Equal(1, state.Value);
        }

        clock.Now += 10_000;
        Assert.False(state.TryGetValue(out _));
    }

    [Fact]
    public void Return_expired_if_not_cleaned_up_reads_an_expired_value_until_a_sweep_removes_it()
    {
        var (backend, _, clock) = Backend();
        var state = backend.GetValueState<long>("v", TenSeconds with { Visibility = StateTtlVisibility.ReturnExpiredIfNotCleanedUp }, clock);
        backend.SetCurrentKey("a");
        state.Update(1);
        clock.Now += 20_000;
        Assert.Equal(1, state.Value);
        backend.SweepExpiredState(clock.Now);
        Assert.False(state.TryGetValue(out _));
    }

    [Fact]
    public void The_incremental_sweep_removes_expired_entries_a_few_keys_at_a_time_and_goes_round_the_table()
    {
        var (backend, _, clock) = Backend();
        var state = backend.GetValueState<long>("v", TenSeconds with { Visibility = StateTtlVisibility.ReturnExpiredIfNotCleanedUp }, clock);
        string[] keys = ["a", "b", "c", "d", "e"];
        foreach (var key in keys)
        {
            backend.SetCurrentKey(key);
            state.Update(1);
        }

        clock.Now += 20_000;
        int Present() => keys.Count(key =>
        {
            backend.SetCurrentKey(key);
            return state.TryGetValue(out _);
        });

        // Expired entries stay visible until swept: each step removes at most two keys' entries.
        Assert.Equal(5, Present());
        backend.SweepExpiredStateIncrementally(clock.Now, budget: 2);
        Assert.Equal(3, Present());
        backend.SweepExpiredStateIncrementally(clock.Now, budget: 2);
        Assert.Equal(1, Present());

        backend.SetCurrentKey("f");   // added during the pass: swept in the next one
        state.Update(2);
        clock.Now += 20_000;
        backend.SweepExpiredStateIncrementally(clock.Now, budget: 2);
        Assert.Equal(0, Present());
        backend.SetCurrentKey("f");
        Assert.True(state.TryGetValue(out _));
        backend.SweepExpiredStateIncrementally(clock.Now, budget: 2);
        Assert.False(state.TryGetValue(out _));
    }

    [Fact]
    public void List_elements_and_map_entries_expire_one_by_one()
    {
        var (backend, _, clock) = Backend();
        var list = backend.GetListState<string>("l", TenSeconds, clock);
        var map = backend.GetMapState<string, long>("m", TenSeconds, clock);
        backend.SetCurrentKey("a");
        list.Add("old");
        map.Put("old", 1);
        clock.Now += 6_000;
        list.Add("new");
        map.Put("new", 2);
        clock.Now += 6_000;
        Assert.Equal(new[] { "new" }, list.Get());
        Assert.Equal(new[] { KeyValuePair.Create("new", 2L) }, map.Entries);
        Assert.False(map.Contains("old"));
        clock.Now += 6_000;
        Assert.Empty(list.Get());
        Assert.True(map.IsEmpty);
    }

    [Fact]
    public void Expired_entries_are_left_out_of_snapshots_so_a_restore_never_brings_them_back()
    {
        var (backend, store, clock) = Backend();
        var state = backend.GetValueState<long>("v", TenSeconds, clock);
        foreach (var (key, age) in new[] { ("fresh", 1_000L), ("stale", 11_000L), ("edge", 10_000L) })
        {
            backend.SetCurrentKey(key);
            clock.Now -= age;
            state.Update(age);
            clock.Now += age;
        }

        var builder = new KeyedSnapshotBuilder();
        store.SnapshotKeyedState(builder);
        var (restoredBackend, restoredStore, _) = Backend();
        foreach (var chunk in builder.Build(1 << 16))
        {
            KeyedSnapshotBuilder.Restore(chunk.Data, _ => restoredStore);
        }

        // The time to live runs on after the restore: it counts from the original write.
        var restored = restoredBackend.GetValueState<long>("v", TenSeconds, clock);
        restoredBackend.SetCurrentKey("fresh");
        Assert.Equal(1_000, restored.Value);
        restoredBackend.SetCurrentKey("stale");
        Assert.False(restored.TryGetValue(out _));
        restoredBackend.SetCurrentKey("edge");
        Assert.False(restored.TryGetValue(out _));
        clock.Now += 9_000;
        restoredBackend.SetCurrentKey("fresh");
        Assert.False(restored.TryGetValue(out _));
    }

    [Fact]
    public void A_state_asked_for_with_and_without_a_ttl_is_an_error_that_names_it()
    {
        var (backend, _, clock) = Backend();
        backend.GetValueState<long>("v", TenSeconds, clock);
        var error = Assert.Throws<InvalidOperationException>(() => backend.GetValueState<long>("v"));
        Assert.Contains("'v'", error.Message);
    }
}
