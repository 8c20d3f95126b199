using System.Runtime.CompilerServices;
using OrleansStream.Codecs;
using OrleansStream.Nexmark.Codecs;
using OrleansStream.Nexmark.Model;
using OrleansStream.Nexmark.Queries;

namespace OrleansStream.Nexmark;

/// <summary>
/// The binary codecs of Nexmark's records, accumulators and intermediate results, registered with the
/// engine's <see cref="RecordCodec"/> when this assembly loads. The engine resolves a type's codec once per
/// process, at the first stream or state table of that type, so registration must come first: the module
/// initializer sees to that, and the source and the queries call <see cref="EnsureRegistered"/> as well.
/// </summary>
public static class NexmarkCodecs
{
    private static readonly PersonCodec PersonCodec = new();
    private static readonly AuctionCodec AuctionCodec = new();
    private static readonly BidCodec BidCodec = new();

    static NexmarkCodecs()
    {
        RecordCodec.Register(Person);
        RecordCodec.Register(Auction);
        RecordCodec.Register(Bid);
        RecordCodec.Register(Event);
        RecordCodec.Register(HighestBid);
        RecordCodec.Register<TopAuctions>(new TopAuctionsCodec());
        RecordCodec.Register<AuctionCounts>(new AuctionCountsCodec());
        RecordCodec.Register<MaxBids>(new MaxBidsCodec(BidCodec));
    }

    public static IRecordCodec<Person> Person => PersonCodec;

    public static IRecordCodec<Auction> Auction => AuctionCodec;

    public static IRecordCodec<Bid> Bid => BidCodec;

    public static IRecordCodec<NexmarkEvent> Event { get; } = new NexmarkEventCodec(PersonCodec, AuctionCodec, BidCodec);

    public static IRecordCodec<HighestBid> HighestBid { get; } = new HighestBidCodec(BidCodec);

    /// <summary>Registers the codecs (once; later calls do nothing).</summary>
    public static void EnsureRegistered()
    {
        // Touching the class runs its static constructor, which registers.
    }

#pragma warning disable CA2255 // A library initializer on purpose: codecs must be registered before the engine resolves them.
    [ModuleInitializer]
    internal static void RegisterOnLoad() => EnsureRegistered();
#pragma warning restore CA2255
}
