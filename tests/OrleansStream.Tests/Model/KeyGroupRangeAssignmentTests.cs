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

    /// <summary>
    /// Flink's ranges, worked out by hand from their definition (subtask i of p owns the key groups g with
    /// g * p / maxParallelism = i): 128 over 3 is 43, 43, 42 key groups; 10 over 3 is 4, 3, 3.
    /// </summary>
    [Theory]
    [InlineData(128, 3, new[] { 0, 42, 43, 85, 86, 127 })]
    [InlineData(10, 3, new[] { 0, 3, 4, 6, 7, 9 })]
    [InlineData(128, 7, new[] { 0, 18, 19, 36, 37, 54, 55, 73, 74, 91, 92, 109, 110, 127 })]
    public void Ranges_are_those_of_flink(int maxParallelism, int parallelism, int[] bounds)
    {
        for (int subtask = 0; subtask < parallelism; subtask++)
        {
            Assert.Equal(new KeyGroupRange(bounds[2 * subtask], bounds[2 * subtask + 1]), KeyGroupRangeAssignment.RangeForOperator(maxParallelism, parallelism, subtask));
        }
    }

    /// <summary>
    /// A key's hash and key group must be the same in every process and release, or a restored job would look for
    /// its state in the wrong key group: pinned here, worked out outside .NET. A string hashes as xxHash32 (seed 0) of
    /// its UTF-16LE bytes, an int is its own hash, a long folds its halves (v ^ v >>> 32); the key group is the
    /// MurmurHash3 finaliser (fmix32) of the hash modulo the max parallelism. The values were computed with an
    /// independent implementation of both from their specifications, itself checked against xxHash32's published
    /// vectors ("" = 0x02CC5D05, "a" = 0x550D7456, "abc" = 0x32D153FF as bytes).
    /// </summary>
    [Theory]
    [InlineData("a", 0x19832F52, 21, 3)]
    [InlineData("10.0.0.1", unchecked((int)0xD8AA30D6), 40, 4)]
    [InlineData("10.0.0.7", unchecked((int)0x945E40FF), 53, 1)]
    [InlineData("192.168.0.1", 0x6948C9BE, 102, 4)]
    [InlineData("172.16.4.20", 0x2EF5E453, 44, 4)]
    [InlineData("c3", unchecked((int)0xBF795BD7), 120, 8)]
    [InlineData("a somewhat longer key of 33 chars", unchecked((int)0xC545BD03), 122, 6)]
    public void A_string_keys_hash_and_key_group_are_pinned(string key, int hash, int groupOf128, int groupOf10)
    {
        Assert.Equal(hash, StableKeyHash<string>.Hash(key));
        Assert.Equal(groupOf128, KeyGroupRangeAssignment.AssignToKeyGroup(hash, 128));
        Assert.Equal(groupOf10, KeyGroupRangeAssignment.AssignToKeyGroup(hash, 10));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 55)]
    [InlineData(2, 6)]
    [InlineData(3, 39)]
    [InlineData(42, 92)]
    [InlineData(-1, 57)]
    [InlineData(1_000_000, 9)]
    [InlineData(int.MinValue, 32)]
    public void An_int_keys_key_group_is_pinned(int key, int groupOf128)
    {
        Assert.Equal(key, StableKeyHash<int>.Hash(key));
        Assert.Equal(groupOf128, KeyGroupRangeAssignment.AssignToKeyGroup(StableKeyHash<int>.Hash(key), 128));
    }

    [Theory]
    [InlineData(0L, 0, 0, 0)]
    [InlineData(1L, 1, 55, 7)]
    [InlineData(49L, 49, 8, 4)]
    [InlineData(5_000_000_000L, 705_032_705, 7, 7)]
    [InlineData(-7L, 6, 8, 2)]
    public void A_long_keys_hash_and_key_group_are_pinned(long key, int hash, int groupOf128, int groupOf10)
    {
        Assert.Equal(hash, StableKeyHash<long>.Hash(key));
        Assert.Equal(groupOf128, KeyGroupRangeAssignment.AssignToKeyGroup(hash, 128));
        Assert.Equal(groupOf10, KeyGroupRangeAssignment.AssignToKeyGroup(hash, 10));
    }

    [Fact]
    public void Key_groups_are_within_bounds_and_spread()
    {
        var keys = Enumerable.Range(0, 10_000).Select(i => $"10.0.{i / 256}.{i % 256}").ToList();
        var groups = keys.Select(k => KeyGroupRangeAssignment.AssignToKeyGroup(StableKeyHash<string>.Hash(k), 128)).ToList();
        Assert.All(groups, g => Assert.InRange(g, 0, 127));

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
