using OrleansStream.Runtime.Rescaling;

namespace OrleansStream.Tests.Rescaling;

/// <summary>How a live rescale of a source spreads its splits: evenly over the readers that stay, moving as few as it can.</summary>
public sealed class SplitMoveTests
{
    [Fact]
    public void Scaling_up_gives_the_new_reader_the_splits_the_others_hold_beyond_their_share()
    {
        var moves = SplitMove.Rebalance(Owned(["a", "c", "e"], ["b", "d", "f"], []), parallelism: 3);

        Assert.Equal(["0->2: e", "1->2: f"], moves.Select(Describe));
    }

    [Fact]
    public void Scaling_down_hands_every_split_of_the_readers_that_go_to_those_that_stay()
    {
        var moves = SplitMove.Rebalance(Owned(["a", "d"], ["b", "e"], ["c", "f"]), parallelism: 1);

        Assert.Equal(["1->0: b,e", "2->0: c,f"], moves.Select(Describe));
    }

    [Fact]
    public void A_spare_split_stays_with_the_reader_that_holds_the_most()
    {
        var moves = SplitMove.Rebalance(Owned(["a", "b", "c", "d", "e"], []), parallelism: 2);

        Assert.Equal(["0->1: d,e"], moves.Select(Describe));
    }

    [Fact]
    public void Balanced_readers_move_nothing()
    {
        Assert.Empty(SplitMove.Rebalance(Owned(["a", "c"], ["b"], ["d"]), parallelism: 3));
    }

    [Fact]
    public void Splits_with_no_reader_left_to_take_them_are_refused_with_the_subtasks_that_hold_them()
    {
        var owned = new Dictionary<int, IReadOnlyList<string>> { [2] = ["x"] };

        var refused = Assert.Throws<InvalidOperationException>(() => SplitMove.Rebalance(owned, parallelism: 1));

        Assert.Contains("subtasks 2", refused.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_split_ends_with_exactly_one_reader_below_the_new_parallelism_and_shares_differ_by_one_at_most(int seed)
    {
        var random = new Random(seed);
        for (int run = 0; run < 200; run++)
        {
            int readers = random.Next(1, 8);
            int parallelism = random.Next(1, 9);
            var owned = Enumerable.Range(0, readers).ToDictionary(r => r, r => (IReadOnlyList<string>)Enumerable.Range(0, random.Next(0, 6)).Select(s => $"{r}-{s}").ToList());
            if (parallelism > readers)
            {
                // Scaled up: the new readers hold nothing yet.
                foreach (int added in Enumerable.Range(readers, parallelism - readers))
                {
                    owned[added] = [];
                }
            }

            var after = owned.ToDictionary(o => o.Key, o => o.Value.ToList());
            foreach (var move in SplitMove.Rebalance(owned, parallelism))
            {
                Assert.All(move.SplitIds, split => Assert.True(after[move.From].Remove(split), $"{split} is not subtask {move.From}'s"));
                after[move.To].AddRange(move.SplitIds);
            }

            Assert.Equal(owned.Values.SelectMany(s => s).Order(), after.Values.SelectMany(s => s).Order());
            Assert.All(after.Where(a => a.Key >= parallelism), a => Assert.Empty(a.Value));
            var counts = after.Where(a => a.Key < parallelism).Select(a => a.Value.Count).ToList();
            Assert.InRange(counts.Max() - counts.Min(), 0, 1);
        }
    }

    private static Dictionary<int, IReadOnlyList<string>> Owned(params string[][] splits)
        => splits.Select((s, i) => (s, i)).ToDictionary(x => x.i, x => (IReadOnlyList<string>)x.s);

    private static string Describe(SplitMove move) => $"{move.From}->{move.To}: {string.Join(',', move.SplitIds)}";
}
