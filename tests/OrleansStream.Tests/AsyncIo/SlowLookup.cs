namespace OrleansStream.Tests.AsyncIo;

/// <summary>
/// A stand-in for a remote lookup: answers <see cref="Of"/> for a key after a delay drawn from a Random
/// seeded by the key and a run seed, so calls complete out of order yet every run is the same.
/// </summary>
public static class SlowLookup
{
    public static long Of(long key) => key * 7 + 3;

    public static async Task<(long Key, long Value)> CallAsync(long key, int seed, int maxDelayMs, CancellationToken cancellationToken)
    {
        int delay = new Random(HashCode.Combine(seed, key)).Next(0, maxDelayMs + 1);
        await Task.Delay(delay, cancellationToken);
        return (key, Of(key));
    }
}
