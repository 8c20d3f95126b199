using OrleansStream.Api.Connectors;
using OrleansStream.Codecs;
using OrleansStream.Nexmark;
using OrleansStream.Nexmark.Formats;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;
using OrleansStream.Nexmark.Queries;
using OrleansStream.Tests.Connectors;

namespace OrleansStream.Tests.Nexmark;

public sealed class NexmarkGeneratorTests
{
    private static readonly NexmarkConfig Config = new() { Seed = 7, EventsPerSecond = 500 };

    private static List<NexmarkEvent> Generate(NexmarkConfig config, long from, long count)
    {
        var generator = new NexmarkGenerator(config);
        var events = new List<NexmarkEvent>();
        for (long i = from; i < from + count; i++)
        {
            events.Add(generator.Generate(i));
        }

        return events;
    }

    [Fact]
    public void The_same_seed_and_index_give_the_same_event_and_another_seed_other_data()
    {
        var first = Generate(Config, 0, 5_000);
        var again = Generate(Config, 0, 5_000);
        var reversed = new NexmarkGenerator(Config);
        var otherSeed = Generate(Config with { Seed = 8 }, 0, 5_000);

        Assert.Equal(first, again);
        Assert.All(Enumerable.Range(0, 5_000).Reverse(), i => Assert.Equal(first[i], reversed.Generate(i)));
        // Ids, kinds and times follow the index alone; prices and names follow the seed.
        Assert.Equal(first.Select(e => (e.Kind, e.DateTime)), otherSeed.Select(e => (e.Kind, e.DateTime)));
        Assert.True(first.Zip(otherSeed).Count(p => !p.First.Equals(p.Second)) > 4_900);
    }

    [Fact]
    public void Every_fifty_events_hold_one_person_three_auctions_and_forty_six_bids()
    {
        var events = Generate(Config, 0, 50_000);

        foreach (var block in events.Chunk(50))
        {
            Assert.Equal(EventKind.Person, block[0].Kind);
            Assert.All(block[1..4], e => Assert.Equal(EventKind.Auction, e.Kind));
            Assert.All(block[4..], e => Assert.Equal(EventKind.Bid, e.Kind));
        }

        Assert.Equal(1_000, events.Count(e => e.Kind == EventKind.Person));
        Assert.Equal(3_000, events.Count(e => e.Kind == EventKind.Auction));
        Assert.Equal(46_000, events.Count(e => e.Kind == EventKind.Bid));
    }

    [Fact]
    public void Ids_are_dense_and_times_advance_by_the_inter_event_delay()
    {
        var events = Generate(Config, 0, 10_000);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => 1000L + i), events.Where(e => e.Kind == EventKind.Person).Select(e => e.Person!.Id));
        Assert.Equal(Enumerable.Range(0, 600).Select(i => 1000L + i), events.Where(e => e.Kind == EventKind.Auction).Select(e => e.Auction!.Id));
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => NexmarkConfig.DefaultBaseTime + (i * 2L)), events.Select(e => e.DateTime));

        long lastAuction = 999;
        long lastPerson = 999;
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case EventKind.Person: lastPerson = e.Person!.Id; break;
                case EventKind.Auction:
                    lastAuction = e.Auction!.Id;
                    Assert.InRange(e.Auction.Seller, 1000, lastPerson + 10);
                    Assert.InRange(e.Auction.Category, 10, 14);
                    Assert.True(e.Auction.Expires > e.Auction.DateTime);
                    Assert.True(e.Auction.Reserve >= e.Auction.InitialBid);
                    break;
                default:
                    // A bid is for an auction that exists or is about to (the reference's lead of 10).
                    Assert.InRange(e.Bid!.Auction, 1000, lastAuction + 10);
                    Assert.InRange(e.Bid.Bidder, 1000, lastPerson + 10);
                    Assert.InRange(e.Bid.Price, 100, 100_000_000);
                    break;
            }
        }
    }

    [Fact]
    public void Hot_auctions_bidders_and_sellers_follow_the_standard_ratios()
    {
        var events = Generate(Config, 0, 100_000);
        var bids = events.Where(e => e.Kind == EventKind.Bid).Select(e => e.Bid!).ToList();
        var auctions = events.Where(e => e.Kind == EventKind.Auction).Select(e => e.Auction!).ToList();

        // Hot auctions are the first of each batch of 100 auctions: 1 - 1/2 of bids, plus random picks that land there.
        double hotAuction = bids.Count(b => (b.Auction - 1000) % 100 == 0) / (double)bids.Count;
        // Hot bidders are the second of each batch of 100 people: 1 - 1/4 of bids.
        double hotBidder = bids.Count(b => (b.Bidder - 1000) % 100 == 1) / (double)bids.Count;
        // Hot sellers are the first of each batch of 100 people: 1 - 1/4 of auctions.
        double hotSeller = auctions.Count(a => (a.Seller - 1000) % 100 == 0) / (double)auctions.Count;

        Assert.InRange(hotAuction, 0.48, 0.53);
        Assert.InRange(hotBidder, 0.73, 0.78);
        Assert.InRange(hotSeller, 0.72, 0.79);
        Assert.InRange(bids.Count(b => b.Channel is "Google" or "Facebook" or "Baidu" or "Apple") / (double)bids.Count, 0.47, 0.53);
        Assert.InRange(bids.Average(b => b.Extra.Length + 32), 95, 105);
    }

    [Fact]
    public async Task A_source_at_parallelism_three_emits_the_same_events_as_at_parallelism_one()
    {
        var source = new NexmarkSource(Config, eventCount: 20_000);

        var one = await SourceTestHarness.ReadAll(source, 1);
        var three = await SourceTestHarness.ReadAll(source, 3);

        Assert.Equal(Generate(Config, 0, 20_000), one);
        Assert.Equal(20_000, three.Count);
        Assert.Equal(Lines(one), Lines(three));
    }

    [Fact]
    public async Task A_source_from_an_offset_emits_the_suffix()
    {
        var all = Generate(Config, 0, 12_000);

        var suffix = await SourceTestHarness.ReadAll(new NexmarkSource(Config, eventCount: 4_000, firstEventIndex: 8_000), 1);

        Assert.Equal(all[8_000..], suffix);
    }

    [Fact]
    public async Task A_reader_restored_from_its_split_progress_continues_where_it_stopped()
    {
        var source = new NexmarkSource(Config, eventCount: 9_000);
        var splits = source.CreateSplits(3);
        var before = new CollectingOutput<NexmarkEvent>();
        IReadOnlyList<SourceSplit> snapshot;
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, splits)))
        {
            for (int i = 0; i < 10; i++)
            {
                await reader.ReadAsync(before, 301, CancellationToken.None);
            }

            snapshot = reader.SnapshotSplits();
        }

        // The progress survives the split serializer, as a checkpoint stores it.
        var restored = snapshot.Select(s => source.SplitSerializer.Deserialize(source.SplitSerializer.Serialize(s))).ToList();
        var after = new CollectingOutput<NexmarkEvent>();
        await using (var reader = source.CreateReader(new SourceReaderContext(0, 1, restored)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await SourceTestHarness.DrainAsync(reader, after, timeout.Token);
        }

        Assert.Equal(3_010, before.Values.Count);
        Assert.Equal(Lines(Generate(Config, 0, 9_000)), Lines([.. before.Values, .. after.Values]));
    }

    [Fact]
    public void Events_and_intermediate_results_cross_the_network_in_binary_codecs()
    {
        var events = Generate(Config with { Seed = 3 }, 0, 2_000);
        var writer = new PayloadWriter();
        foreach (var e in events)
        {
            NexmarkCodecs.Event.Write(writer, e);
        }

        var reader = new PayloadReader(writer.WrittenSpan);
        var read = new List<NexmarkEvent>();
        foreach (var _ in events)
        {
            read.Add(NexmarkCodecs.Event.Read(ref reader));
        }

        Assert.Equal(events, read);
        Assert.True(reader.End);
        Assert.Same(NexmarkCodecs.Event, RecordCodec.For<NexmarkEvent>());
        Assert.Same(NexmarkCodecs.Bid, RecordCodec.For<Bid>());
        Assert.Same(NexmarkCodecs.HighestBid, RecordCodec.For<HighestBid>());
        Assert.DoesNotContain("Json", RecordCodec.For<AuctionCount>().GetType().Name);
        Assert.DoesNotContain("Json", RecordCodec.For<EuroBid>().GetType().Name);
        Assert.DoesNotContain("Json", RecordCodec.For<TopAuctions>().GetType().Name);
        Assert.DoesNotContain("Json", RecordCodec.For<MaxBids>().GetType().Name);
    }

    private static List<string> Lines(IEnumerable<NexmarkEvent> events)
    {
        var lines = events.Select(NexmarkJson.Format).ToList();
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
