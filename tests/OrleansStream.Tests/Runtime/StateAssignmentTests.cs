using OrleansStream.Api;
using OrleansStream.Connectors.Discard;
using OrleansStream.Connectors.Generator;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Graph;
using OrleansStream.Runtime.Checkpoints;

namespace OrleansStream.Tests.Runtime;

public class StateAssignmentTests
{
    private static JobGraph Graph(int parallelism)
    {
        var builder = new StreamBuilder(defaultParallelism: parallelism);
        builder.FromSource(GeneratorSource.FromIndex(i => i, 10), "numbers").Uid("numbers")
            .KeyBy(i => i % 3)
            .Reduce((a, b) => a + b, "sum").Uid("sum")
            .SinkTo(new DiscardingSink<long>()).Uid("sink");
        return builder.BuildGraph();
    }

    private static CheckpointMetadata Snapshot(JobGraph graph)
    {
        var source = graph.Vertices.Single(v => v.IsSource);
        var keyed = graph.Vertices.Single(v => !v.IsSource);
        var tasks = new List<TaskSnapshot>();
        for (int subtask = 0; subtask < source.Parallelism; subtask++)
        {
            var splits = new[] { new byte[] { (byte)(2 * subtask) }, new byte[] { (byte)(2 * subtask + 1) } };
            tasks.Add(new TaskSnapshot(source.Id, subtask, new Dictionary<string, IReadOnlyList<byte[]>> { ["numbers"] = splits }, [], []));
        }

        for (int subtask = 0; subtask < keyed.Parallelism; subtask++)
        {
            var range = OrleansStream.KeyGroups.KeyGroupRangeAssignment.RangeForOperator(graph.MaxParallelism, keyed.Parallelism, subtask);
            var chunks = new[]
            {
                new KeyedStateHandle($"k{subtask}a", null, range.StartKeyGroup, range.StartKeyGroup + 10, 100),
                new KeyedStateHandle($"k{subtask}b", null, range.StartKeyGroup + 11, range.EndKeyGroup, 100),
            };
            tasks.Add(new TaskSnapshot(keyed.Id, subtask, new Dictionary<string, IReadOnlyList<byte[]>> { ["sink"] = [] }, chunks, ["sum"]));
        }

        return new CheckpointMetadata("job", 7, SnapshotKind.Savepoint, DateTimeOffset.UnixEpoch, TimeSpan.Zero, graph.MaxParallelism, tasks);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(2, 6)]
    public void Source_splits_are_spread_round_robin_and_every_chunk_reaches_the_subtasks_whose_key_groups_it_holds(int before, int after)
    {
        var snapshot = Snapshot(Graph(before));
        var graph = Graph(after);
        var source = graph.Vertices.Single(v => v.IsSource);
        var keyed = graph.Vertices.Single(v => !v.IsSource);

        var splits = Enumerable.Range(0, after).Select(i => StateAssignment.For(snapshot, graph, source, i).OperatorState["numbers"]).ToList();
        Assert.Equal(Enumerable.Range(0, 2 * before).Select(i => (byte)i), splits.SelectMany(s => s.Select(b => b[0])).Order());
        Assert.True(splits.Max(s => s.Count) - splits.Min(s => s.Count) <= 1);

        for (int subtask = 0; subtask < after; subtask++)
        {
            var restore = StateAssignment.For(snapshot, graph, keyed, subtask);
            var range = OrleansStream.KeyGroups.KeyGroupRangeAssignment.RangeForOperator(graph.MaxParallelism, after, subtask);
            var expected = snapshot.Tasks.SelectMany(t => t.KeyedState).Where(h => h.Overlaps(range.StartKeyGroup, range.EndKeyGroup)).Select(h => h.StorageKey);
            Assert.Equal(expected.Order(), restore.KeyedState.Select(h => h.StorageKey).Order());
            Assert.Equal(7, restore.CheckpointId);
        }
    }

    [Fact]
    public void State_of_operators_the_job_does_not_have_is_reported()
    {
        var snapshot = Snapshot(Graph(2));
        var builder = new StreamBuilder(defaultParallelism: 2);
        builder.FromSource(GeneratorSource.FromIndex(i => i, 10), "numbers").Uid("numbers")
            .SinkTo(new DiscardingSink<long>()).Uid("sink");

        Assert.Equal(["sum"], StateAssignment.UnmatchedOperators(snapshot, builder.BuildGraph()));
    }

    [Fact]
    public void An_operator_the_snapshot_does_not_know_starts_fresh_instead_of_restored_empty()
    {
        var snapshot = Snapshot(Graph(2));
        var builder = new StreamBuilder(defaultParallelism: 2);
        builder.FromSource(GeneratorSource.FromIndex(i => i, 10), "numbers").Uid("new-numbers")
            .SinkTo(new DiscardingSink<long>()).Uid("sink");
        var graph = builder.BuildGraph();

        var restore = StateAssignment.For(snapshot, graph, graph.Vertices.Single(v => v.IsSource), 0);

        Assert.False(restore.OperatorState.ContainsKey("new-numbers"));
    }

    [Fact]
    public void Restart_strategies_give_their_delays_and_give_up()
    {
        var fixedDelay = RestartStrategy.FixedDelay(2, TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(3), fixedDelay.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(3), fixedDelay.DelayBefore(2));
        Assert.Null(fixedDelay.DelayBefore(3));

        var backoff = RestartStrategy.ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), multiplier: 2, maxRestarts: 5);
        Assert.Equal([1, 2, 4, 5, 5], Enumerable.Range(1, 5).Select(i => backoff.DelayBefore(i)!.Value.TotalSeconds));
        Assert.Null(backoff.DelayBefore(6));

        Assert.Null(RestartStrategy.None.DelayBefore(1));
    }
}
