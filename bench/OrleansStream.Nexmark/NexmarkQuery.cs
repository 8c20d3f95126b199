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

    /// <summary>Local item suggestion: sellers in OR, ID or CA joined with their auctions in category 10.</summary>
    Q3,

    /// <summary>Average winning price per category.</summary>
    Q4,

    /// <summary>Hot items: the auctions with the most bids per sliding window.</summary>
    Q5,

    /// <summary>Highest bid per tumbling window.</summary>
    Q7,

    /// <summary>Monitor new users: people who registered and opened an auction in the same tumbling window.</summary>
    Q8,
}
