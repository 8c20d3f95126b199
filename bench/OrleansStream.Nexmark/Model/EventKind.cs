namespace OrleansStream.Nexmark.Model;

/// <summary>Which of the three Nexmark records an event carries; the values are the wire tags.</summary>
public enum EventKind : byte
{
    Person = 0,
    Auction = 1,
    Bid = 2,
}
