namespace OrleansStream.Nexmark.Generator;

/// <summary>
/// The rules of the Nexmark generator: its seed, the event-time clock and the shape of the data. The
/// defaults are those of the reference generator (nexmark/nexmark, Apache Beam's Nexmark), except that
/// the base time is fixed rather than "now", so the same configuration always gives the same events.
/// </summary>
public sealed record NexmarkConfig
{
    /// <summary>2024-01-01T00:00:00Z: the default event time of event 0.</summary>
    public const long DefaultBaseTime = 1_704_067_200_000;

    /// <summary>Ids start above zero so that queries find matches even in small data sets (as in the reference).</summary>
    public const long FirstPersonId = 1000;

    public const long FirstAuctionId = 1000;

    public const long FirstCategoryId = 10;

    /// <summary>The largest average record size the <c>extra</c> padding can reach.</summary>
    public const int MaxAverageByteSize = 1 << 18;

    /// <summary>Mixed into every event's random numbers: a different seed gives different data, the same ids and times.</summary>
    public long Seed { get; init; }

    /// <summary>Event time of event 0, in epoch milliseconds.</summary>
    public long BaseTime { get; init; } = DefaultBaseTime;

    /// <summary>
    /// The nominal rate in events per second of event time: event <c>i</c> happens at
    /// <c>BaseTime + i * 1000 / EventsPerSecond</c> ms. It shapes the data (how many events a window holds),
    /// not how fast a source emits; that is the source's own rate limit.
    /// </summary>
    public long EventsPerSecond { get; init; } = 10_000;

    public int PersonProportion { get; init; } = 1;

    public int AuctionProportion { get; init; } = 3;

    public int BidProportion { get; init; } = 46;

    public int TotalProportion => PersonProportion + AuctionProportion + BidProportion;

    /// <summary>1 in this many auctions is by a random seller; the others by the current hot seller.</summary>
    public int HotSellersRatio { get; init; } = 4;

    /// <summary>1 in this many bids is for a random in-flight auction; the others for the current hot auction.</summary>
    public int HotAuctionRatio { get; init; } = 2;

    /// <summary>1 in this many bids is by a random active person; the others by the current hot bidder.</summary>
    public int HotBiddersRatio { get; init; } = 4;

    /// <summary>How many of the latest people random sellers and bidders are chosen from.</summary>
    public int NumActivePeople { get; init; } = 1000;

    /// <summary>How many of the latest auctions random bids are for; also sets how long auctions run.</summary>
    public int NumInFlightAuctions { get; init; } = 100;

    /// <summary>Average size the <c>extra</c> field pads a person to; 0 leaves <c>extra</c> empty.</summary>
    public int AvgPersonByteSize { get; init; } = 200;

    /// <summary>Average size the <c>extra</c> field pads an auction to; 0 leaves <c>extra</c> empty.</summary>
    public int AvgAuctionByteSize { get; init; } = 500;

    /// <summary>Average size the <c>extra</c> field pads a bid to; 0 leaves <c>extra</c> empty.</summary>
    public int AvgBidByteSize { get; init; } = 100;

    /// <summary>Event time of event <paramref name="index"/>, in epoch milliseconds.</summary>
    public long TimestampOf(long index)
        => BaseTime + (index <= long.MaxValue / 1000
            ? index * 1000 / EventsPerSecond
            : (long)((Int128)index * 1000 / EventsPerSecond)); // 128-bit only where 64 would overflow: it is much slower.

    /// <summary>Throws when a setting cannot generate events, naming the setting.</summary>
    public NexmarkConfig Validate()
    {
        Positive(EventsPerSecond, nameof(EventsPerSecond));
        Positive(PersonProportion, nameof(PersonProportion));
        Positive(AuctionProportion, nameof(AuctionProportion));
        Positive(BidProportion, nameof(BidProportion));
        Positive(HotSellersRatio, nameof(HotSellersRatio));
        Positive(HotAuctionRatio, nameof(HotAuctionRatio));
        Positive(HotBiddersRatio, nameof(HotBiddersRatio));
        Positive(NumActivePeople, nameof(NumActivePeople));
        Positive(NumInFlightAuctions, nameof(NumInFlightAuctions));
        Size(AvgPersonByteSize, nameof(AvgPersonByteSize));
        Size(AvgAuctionByteSize, nameof(AvgAuctionByteSize));
        Size(AvgBidByteSize, nameof(AvgBidByteSize));
        return this;

        // Padding is sliced from a 1 MiB text: an average up to a quarter of that always fits.
        static void Size(int value, string name)
        {
            if (value is < 0 or > MaxAverageByteSize)
            {
                throw new ArgumentOutOfRangeException(name, value, $"Nexmark setting {name} must be from 0 to {MaxAverageByteSize}.");
            }
        }

        static void Positive(long value, string name)
        {
            if (value <= 0)
            {
                throw new ArgumentOutOfRangeException(name, value, $"Nexmark setting {name} must be positive.");
            }
        }
    }
}
