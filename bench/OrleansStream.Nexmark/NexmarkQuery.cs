namespace OrleansStream.Nexmark;

/// <summary>The Nexmark queries this project implements.</summary>
public enum NexmarkQuery
{
    /// <summary>Pass-through of bids.</summary>
    Q0,

    /// <summary>Currency conversion: price × 0.908.</summary>
    Q1,

    /// <summary>Selection: bids on auctions whose id is a multiple of 123.</summary>
    Q2,

    /// <summary>Hot items: the auctions with the most bids per sliding window.</summary>
    Q5,

    /// <summary>Highest bid per tumbling window.</summary>
    Q7,
}
