namespace OrleansStream.Nexmark.Model;

/// <summary>
/// One Nexmark event: a person, an auction or a bid. A struct with a kind tag rather than a class
/// hierarchy, so the stream of events costs no allocation beyond the record it carries, and a query
/// tests the tag instead of a type.
/// </summary>
public readonly struct NexmarkEvent : IEquatable<NexmarkEvent>
{
    private readonly object _record;

    public NexmarkEvent(Person person)
    {
        _record = person ?? throw new ArgumentNullException(nameof(person));
        Kind = EventKind.Person;
    }

    public NexmarkEvent(Auction auction)
    {
        _record = auction ?? throw new ArgumentNullException(nameof(auction));
        Kind = EventKind.Auction;
    }

    public NexmarkEvent(Bid bid)
    {
        _record = bid ?? throw new ArgumentNullException(nameof(bid));
        Kind = EventKind.Bid;
    }

    public EventKind Kind { get; }

    /// <summary>The person, or null when the event is not a person.</summary>
    public Person? Person => Kind == EventKind.Person ? (Person)_record : null;

    /// <summary>The auction, or null when the event is not an auction.</summary>
    public Auction? Auction => Kind == EventKind.Auction ? (Auction)_record : null;

    /// <summary>The bid, or null when the event is not a bid.</summary>
    public Bid? Bid => Kind == EventKind.Bid ? (Bid)_record : null;

    /// <summary>The event time in epoch milliseconds, whatever the kind.</summary>
    public long DateTime => Kind switch
    {
        EventKind.Person => ((Person)_record).DateTime,
        EventKind.Auction => ((Auction)_record).DateTime,
        _ => ((Bid)_record).DateTime,
    };

    /// <summary>The carried record (a <see cref="Model.Person"/>, <see cref="Model.Auction"/> or <see cref="Model.Bid"/>).</summary>
    public object Record => _record ?? throw new InvalidOperationException("A default NexmarkEvent carries no record.");

    public bool Equals(NexmarkEvent other) => Kind == other.Kind && Equals(_record, other._record);

    public override bool Equals(object? obj) => obj is NexmarkEvent other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, _record);

    public static bool operator ==(NexmarkEvent left, NexmarkEvent right) => left.Equals(right);

    public static bool operator !=(NexmarkEvent left, NexmarkEvent right) => !left.Equals(right);

    public override string ToString() => _record?.ToString() ?? "(none)";
}
