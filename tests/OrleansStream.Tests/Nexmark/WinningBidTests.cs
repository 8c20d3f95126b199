using OrleansStream.Nexmark.Queries;
using OrleansStream.Operators;
using OrleansStream.Tests.Functions;
using OrleansStream.Time;

namespace OrleansStream.Tests.Nexmark;

/// <summary>
/// q4's winning bid per auction, on hand-made bids around the bounds of an auction's span: bids at the opening
/// and at the expiry count (SQL's BETWEEN is inclusive), one millisecond outside does not, a bid that arrives
/// before its auction waits for it, and the price comes out when the watermark reaches the expiry, also after a
/// restore from a snapshot taken in between.
/// </summary>
public class WinningBidTests
{
    private const long Category = 12;

    [Fact]
    public void Bids_at_both_bounds_count_and_bids_outside_do_not()
    {
        var harness = NewHarness();
        Bid(harness, auction: 1, price: 5, time: 1_000);    // before its auction arrives, at its opening: waits, counts
        Bid(harness, auction: 1, price: 900, time: 999);    // before its opening
        Auction(harness, id: 1, opens: 1_000, expires: 2_000);
        Bid(harness, auction: 1, price: 7, time: 2_000);    // at its expiry
        Bid(harness, auction: 1, price: 800, time: 2_001);  // after its expiry
        Auction(harness, id: 2, opens: 3_000, expires: 4_000);
        Bid(harness, auction: 2, price: 700, time: 2_999);  // auction 2 has no bid within its span: no result
        Bid(harness, auction: 2, price: 600, time: 4_001);

        harness.Watermark(1_999);
        Assert.Empty(harness.Output.Records);
        harness.Watermark(2_000);
        Assert.Equal(new[] { (new WinningPrice(1, Category, 7), 2_000L) }, harness.Output.Records);
        harness.Watermark(Watermark.EndOfTime);
        Assert.Single(harness.Output.Records);
    }

    [Fact]
    public void An_auction_and_its_waiting_bids_survive_a_restore_with_their_timers()
    {
        var before = NewHarness();
        Bid(before, auction: 1, price: 30, time: 1_500);    // waits for auction 1
        Auction(before, id: 2, opens: 1_000, expires: 2_500);
        Bid(before, auction: 2, price: 40, time: 2_000);
        var snapshot = before.Snapshot();

        var after = NewHarness(snapshot);
        Auction(after, id: 1, opens: 1_200, expires: 3_000); // finds the bid that waited before the snapshot
        Bid(after, auction: 2, price: 20, time: 2_100);     // lower than the restored maximum
        after.Watermark(2_500);                             // auction 2's timer came back with the restore
        after.Watermark(3_000);

        Assert.Equal(new[] { new WinningPrice(2, Category, 40), new WinningPrice(1, Category, 30) }, after.Output.Values);
    }

    private static OperatorHarness<WinningPrice> NewHarness(IReadOnlyList<OrleansStream.State.KeyedStateChunk>? restore = null)
        => OperatorHarness<WinningPrice>.TwoInput(
            new KeyedCoProcessOperator<long, AuctionSpan, BidPrice, WinningPrice>("q4 winning bids", a => a.Id, b => b.Auction, new WinningBid()),
            restore: restore);

    private static void Auction(OperatorHarness<WinningPrice> harness, long id, long opens, long expires)
        => harness.Element1<AuctionSpan, BidPrice>(new AuctionSpan(id, Category, opens, expires), opens);

    private static void Bid(OperatorHarness<WinningPrice> harness, long auction, long price, long time)
        => harness.Element2<AuctionSpan, BidPrice>(new BidPrice(auction, price, time), time);
}
