using OrleansStream.KeyGroups;

namespace OrleansStream.Tests.Model;

public class KeyGroupRangeAssignmentTests
{
    [Theory]
    [InlineData(128, 1)]
    [InlineData(128, 3)]
    [InlineData(128, 4)]
    [InlineData(128, 7)]
    [InlineData(128, 128)]
    [InlineData(10, 3)]
    public void Ranges_are_contiguous_cover_every_key_group_once_and_agree_with_operator_index(int maxParallelism, int parallelism)
    {
        int next = 0;
        for (int subtask = 0; subtask < parallelism; subtask++)
        {
            var range = KeyGroupRangeAssignment.RangeForOperator(maxParallelism, parallelism, subtask);
            Assert.Equal(next, range.StartKeyGroup);
            Assert.True(range.Count >= maxParallelism / parallelism && range.Count <= maxParallelism / parallelism + 1);
            for (int keyGroup = range.StartKeyGroup; keyGroup <= range.EndKeyGroup; keyGroup++)
            {
                Assert.Equal(subtask, KeyGroupRangeAssignment.OperatorIndexForKeyGroup(keyGroup, maxParallelism, parallelism));
            }

            next = range.EndKeyGroup + 1;
        }

        Assert.Equal(maxParallelism, next);
    }

    [Fact]
    public void Key_group_is_stable_and_within_bounds()
    {
        var keys = Enumerable.Range(0, 10_000).Select(i => $"10.0.{i / 256}.{i % 256}").ToList();
        var groups = keys.Select(k => KeyGroupRangeAssignment.AssignToKeyGroup(StableKeyHash<string>.Hash(k), 128)).ToList();
        Assert.All(groups, g => Assert.InRange(g, 0, 127));

        // The hash must not depend on the process (string.GetHashCode does): pin a few values.
        Assert.Equal(groups, keys.Select(k => KeyGroupRangeAssignment.AssignToKeyGroup(StableKeyHash<string>.Hash(k), 128)));
        Assert.Equal((int)System.IO.Hashing.XxHash32.HashToUInt32(System.Runtime.InteropServices.MemoryMarshal.AsBytes("a".AsSpan())), StableKeyHash<string>.Hash("a"));

        // Keys spread: every key group is used by 10,000 keys, and none holds more than 3x its share.
        var perGroup = groups.GroupBy(g => g).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(128, perGroup.Count);
        Assert.True(perGroup.Values.Max() < 3 * 10_000 / 128);
    }

    [Fact]
    public void Invalid_parallelism_is_rejected_with_the_bound()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => KeyGroupRangeAssignment.RangeForOperator(128, 129, 0));
        Assert.Contains("128", error.Message);
    }
}
