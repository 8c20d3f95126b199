using System.Reactive.Linq;
using OrleansStream.Nexmark;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Benchmarks.Nexmark;

/// <summary>
/// The same q1 and q5 as an in-process System.Reactive pipeline over the same generated events: what a
/// single-process streaming library's dispatch costs for them. Rx has no event-time windows, so q5's windows
/// are the limit loop's, fed by Rx operators (Where, Select, Do): for q5 this measures Rx's dispatch only.
/// </summary>
internal static class NexmarkRxPeer
{
    public static Task<Measurement> RunAsync(NexmarkQuery query, long events)
        => NexmarkLimit.MeasureWarmAsync("System.Reactive pipeline, 1 thread (peer)", events, () => Run(query, events));

    private static long Run(NexmarkQuery query, long events)
    {
        var generator = NexmarkLimit.Generator();
        var source = Observable.Create<NexmarkEvent>(observer =>
        {
            for (long i = 0; i < events; i++)
            {
                observer.OnNext(generator.Generate(i));
            }

            observer.OnCompleted();
            return System.Reactive.Disposables.Disposable.Empty;
        });
        var bids = source.Where(static e => e.Kind == EventKind.Bid).Select(static e => e.Bid!);
        long checksum = 0;
        switch (query)
        {
            case NexmarkQuery.Q1:
                bids.Select(static b => (b.Auction, b.Bidder, Price: b.Price * 908, b.DateTime)).Subscribe(r => checksum += r.Price);
                return checksum;
            case NexmarkQuery.Q5:
                var windows = new NexmarkLimit.Q5Loop();
                long maxTime = long.MinValue;
                bids.Do(windows.Add)
                    .Select(b => maxTime = Math.Max(maxTime, b.DateTime))
                    .Subscribe(max => windows.Fire(max - 5_001), () => windows.Fire(long.MaxValue));
                return windows.Checksum;
            default:
                throw new ArgumentOutOfRangeException(nameof(query), query, "The peer runs q1 and q5.");
        }
    }
}
