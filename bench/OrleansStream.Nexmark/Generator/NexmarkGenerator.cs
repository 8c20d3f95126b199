using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Generator;

/// <summary>
/// Nexmark's event generator as a pure function: event <c>i</c> depends only on the configuration (its seed)
/// and <c>i</c>. Of every <see cref="NexmarkConfig.TotalProportion"/> consecutive events (50 by default) the first
/// is a person, the next three are auctions and the rest are bids; event <c>i</c> happens at
/// <see cref="NexmarkConfig.TimestampOf"/>. Any subset of indices can be generated anywhere, in any order,
/// which makes a source splittable across subtasks and replayable from any offset.
/// </summary>
public sealed class NexmarkGenerator
{
    /// <summary>Sellers and bidders are hot for a batch of this many people, auctions for this many auctions (the reference's constants).</summary>
    private const int HotBatch = 100;

    private const int CategoryCount = 5;

    private readonly NexmarkConfig _config;

    /// <summary>Events from one auction's index to the auction <see cref="NexmarkConfig.NumInFlightAuctions"/> later.</summary>
    private readonly long _eventsPerInFlightAuctions;

    public NexmarkGenerator(NexmarkConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config.Validate();
        _eventsPerInFlightAuctions = (long)config.NumInFlightAuctions * config.TotalProportion / config.AuctionProportion;
    }

    public NexmarkConfig Config => _config;

    /// <summary>What kind event <paramref name="index"/> is, without generating it.</summary>
    public EventKind KindOf(long index)
    {
        long offset = index % _config.TotalProportion;
        return offset < _config.PersonProportion ? EventKind.Person
            : offset < _config.PersonProportion + _config.AuctionProportion ? EventKind.Auction
            : EventKind.Bid;
    }

    /// <summary>Generates event <paramref name="index"/> (from 0).</summary>
    public NexmarkEvent Generate(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = new EventRandom(_config.Seed, index);
        long timestamp = _config.TimestampOf(index);
        return KindOf(index) switch
        {
            EventKind.Person => new NexmarkEvent(NextPerson(index, ref random, timestamp)),
            EventKind.Auction => new NexmarkEvent(NextAuction(index, ref random, timestamp)),
            _ => new NexmarkEvent(NextBid(index, ref random, timestamp)),
        };
    }

    private Person NextPerson(long index, ref EventRandom random, long timestamp)
    {
        long id = NexmarkIds.LastPerson(_config, index) + NexmarkConfig.FirstPersonId;
        string name = NexmarkText.PersonName(ref random);
        string email = NexmarkText.Email(ref random);
        string creditCard = NexmarkText.CreditCard(ref random);
        string city = NexmarkText.Cities[random.NextInt(NexmarkText.Cities.Length)];
        string state = NexmarkText.States[random.NextInt(NexmarkText.States.Length)];
        int size = 8 + name.Length + email.Length + creditCard.Length + city.Length + state.Length;
        string extra = NexmarkText.Extra(ref random, size, _config.AvgPersonByteSize);
        return new Person(id, name, email, creditCard, city, state, timestamp, extra);
    }

    private Auction NextAuction(long index, ref EventRandom random, long timestamp)
    {
        long id = NexmarkIds.LastAuction(_config, index) + NexmarkConfig.FirstAuctionId;

        // Most auctions are by the hot seller: the first person of the current batch of people.
        long seller = random.NextInt(_config.HotSellersRatio) > 0
            ? NexmarkIds.LastPerson(_config, index) / HotBatch * HotBatch
            : NexmarkIds.RandomPerson(_config, index, ref random);
        seller += NexmarkConfig.FirstPersonId;

        long category = NexmarkConfig.FirstCategoryId + random.NextInt(CategoryCount);
        long initialBid = NextPrice(ref random);

        // An auction runs for a uniform random time of up to twice the span until the auction NumInFlightAuctions
        // later opens, so that about that many auctions are open at any time (the reference's rule).
        long horizon = _config.TimestampOf(index + _eventsPerInFlightAuctions) - timestamp;
        long expires = timestamp + 1 + random.NextLong(Math.Max(horizon * 2, 1));

        string itemName = NexmarkText.RandomString(ref random, 20, ' ');
        string description = NexmarkText.RandomString(ref random, 100, ' ');
        long reserve = initialBid + NextPrice(ref random);
        int size = 8 + itemName.Length + description.Length + (5 * 8);
        string extra = NexmarkText.Extra(ref random, size, _config.AvgAuctionByteSize);
        return new Auction(id, itemName, description, initialBid, reserve, timestamp, expires, seller, category, extra);
    }

    private Bid NextBid(long index, ref EventRandom random, long timestamp)
    {
        // Most bids are for the hot auction (the first of the current batch of auctions) by the hot bidder
        // (the second person of the current batch, so that hot bidders are not hot sellers).
        long auction = random.NextInt(_config.HotAuctionRatio) > 0
            ? NexmarkIds.LastAuction(_config, index) / HotBatch * HotBatch
            : NexmarkIds.RandomAuction(_config, index, ref random);
        auction += NexmarkConfig.FirstAuctionId;

        long bidder = random.NextInt(_config.HotBiddersRatio) > 0
            ? (NexmarkIds.LastPerson(_config, index) / HotBatch * HotBatch) + 1
            : NexmarkIds.RandomPerson(_config, index, ref random);
        bidder += NexmarkConfig.FirstPersonId;

        long price = NextPrice(ref random);
        string channel;
        string url;
        if (random.NextInt(2) > 0)
        {
            int hot = random.NextInt(NexmarkText.HotChannels.Length);
            channel = NexmarkText.HotChannels[hot];
            url = NexmarkText.HotUrls[hot];
        }
        else
        {
            (channel, url) = NexmarkText.Channel(ref random);
        }

        string extra = NexmarkText.Extra(ref random, 4 * 8, _config.AvgBidByteSize);
        return new Bid(auction, bidder, price, channel, url, timestamp, extra);
    }

    /// <summary>Log-uniform between 1.00 and 1,000,000.00 in cents, as the reference: many small prices, few large.</summary>
    private static long NextPrice(ref EventRandom random)
        => (long)Math.Floor((Math.Pow(10.0, random.NextDouble() * 6.0) * 100.0) + 0.5);
}
