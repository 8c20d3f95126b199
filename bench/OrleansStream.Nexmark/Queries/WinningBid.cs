using OrleansStream.Functions;
using OrleansStream.State;

namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// q4's first stage, keyed by auction id: the highest price among the auction's bids placed between its opening
/// and its expiry (both inclusive, as SQL's BETWEEN), emitted once from an event-time timer at the expiry, when
/// the watermark says every such bid has arrived. An auction without such a bid emits nothing (an inner join).
/// </summary>
/// <remarks>
/// A bid that arrives before its auction waits in list state with a timer at its own time: once the watermark
/// passes that, an auction that opened at or before the bid has arrived, so a bid still waiting cannot qualify
/// and is dropped. After the expiry the auction is kept for <see cref="ClosedRetentionMillis"/> of event time, so that
/// the many bids that name an auction after it closed are dropped at once instead of waiting; without it they
/// would still be dropped, later, by their own timers: the retention saves work, the result does not depend on it.
/// </remarks>
public sealed class WinningBid : KeyedCoProcessFunction<long, AuctionSpan, BidPrice, WinningPrice>
{
    /// <summary>How long, in event time (ms), a closed auction stays to turn away the bids that name it after its expiry.</summary>
    public const long ClosedRetentionMillis = 10_000;

    private IValueState<OpenAuction> _auction = null!;
    private IListState<BidPrice> _waitingBids = null!;

    public override void Open(RuntimeContext context)
    {
        _auction = context.State.GetValueState<OpenAuction>("auction");
        _waitingBids = context.State.GetListState<BidPrice>("waiting-bids");
    }

    public override void ProcessElement1(AuctionSpan auction, KeyedProcessContext<long> context, ICollector<WinningPrice> output)
    {
        var open = new OpenAuction(auction, OpenAuction.NoBid);
        _auction.Update(open);
        context.TimerService.RegisterEventTimeTimer(auction.Expires);
        var waiting = _waitingBids.Get();
        if (waiting.Count == 0)
        {
            return;
        }

        foreach (var bid in waiting)
        {
            open.Offer(bid);
        }

        _waitingBids.Clear();
    }

    public override void ProcessElement2(BidPrice bid, KeyedProcessContext<long> context, ICollector<WinningPrice> output)
    {
        if (_auction.TryGetValue(out var auction))
        {
            auction.Offer(bid);
        }
        else
        {
            _waitingBids.Add(bid);
            context.TimerService.RegisterEventTimeTimer(bid.DateTime);
        }
    }

    public override void OnTimer(long timestamp, OnTimerContext<long> context, ICollector<WinningPrice> output)
    {
        if (!_auction.TryGetValue(out var open))
        {
            // A waiting bid's timer: the bids placed at or before the watermark will find no auction now.
            DropWaitingBidsUpTo(timestamp);
            return;
        }

        var auction = open.Auction;
        if (timestamp == auction.Expires)
        {
            if (open.MaxPrice != OpenAuction.NoBid)
            {
                output.Collect(new WinningPrice(auction.Id, auction.Category, open.MaxPrice));
            }

            context.TimerService.RegisterEventTimeTimer(auction.Expires + ClosedRetentionMillis);
        }
        else if (timestamp == auction.Expires + ClosedRetentionMillis)
        {
            _auction.Clear();
        }

        // Any other time is a timer of a bid that waited before the auction came: nothing waits any more.
    }

    private void DropWaitingBidsUpTo(long time)
    {
        var waiting = _waitingBids.Get();
        int expired = 0;
        foreach (var bid in waiting)
        {
            expired += bid.DateTime <= time ? 1 : 0;
        }

        if (expired == waiting.Count)
        {
            _waitingBids.Clear();
        }
        else if (expired > 0)
        {
            _waitingBids.Update(waiting.Where(b => b.DateTime > time).ToList());
        }
    }
}
