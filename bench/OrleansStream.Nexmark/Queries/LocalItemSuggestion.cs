using OrleansStream.Functions;
using OrleansStream.State;

namespace OrleansStream.Nexmark.Queries;

/// <summary>
/// q3's incremental join, keyed by person id: the seller (already filtered by state) waits in value state for
/// auctions still to come, and auctions (already filtered by category) that arrive before their seller wait in
/// list state. Each pair is emitted once, when the second of the two arrives, with that one's timestamp.
/// </summary>
/// <remarks>
/// Like the SQL query's unbounded join, state is never dropped: a seller may open an auction at any time, and
/// an auction's seller may be a person not seen yet (the generator picks sellers a few ids ahead), or one who
/// never qualifies, whose auctions then wait for good.
/// </remarks>
public sealed class LocalItemSuggestion : KeyedCoProcessFunction<long, SellerAddress, AuctionSeller, LocalItem>
{
    private IValueState<SellerAddress> _seller = null!;
    private IListState<long> _waitingAuctions = null!;

    public override void Open(RuntimeContext context)
    {
        _seller = context.State.GetValueState<SellerAddress>("seller");
        _waitingAuctions = context.State.GetListState<long>("waiting-auctions");
    }

    public override void ProcessElement1(SellerAddress seller, KeyedProcessContext<long> context, ICollector<LocalItem> output)
    {
        _seller.Update(seller);
        var waiting = _waitingAuctions.Get();
        if (waiting.Count == 0)
        {
            return;
        }

        foreach (long auction in waiting)
        {
            output.Collect(new LocalItem(seller.Name, seller.City, seller.State, auction));
        }

        _waitingAuctions.Clear();
    }

    public override void ProcessElement2(AuctionSeller auction, KeyedProcessContext<long> context, ICollector<LocalItem> output)
    {
        if (_seller.TryGetValue(out var seller))
        {
            output.Collect(new LocalItem(seller.Name, seller.City, seller.State, auction.Auction));
        }
        else
        {
            _waitingAuctions.Add(auction.Auction);
        }
    }
}
