using OrleansStream.Codecs;
using OrleansStream.Nexmark.Model;
using OrleansStream.Nexmark.Queries;

namespace OrleansStream.Nexmark.Codecs;

// Hand-written binary codecs: Nexmark's records have more members than the engine's compiled positional
// codec takes (four), and the JSON fallback would cost several times more per record on every hop.
// Members are written in declaration order; longs as zigzag varints.

internal sealed class PersonCodec : IRecordCodec<Person>
{
    public void Write(PayloadWriter writer, Person value)
    {
        writer.WriteVarInt64(value.Id);
        writer.WriteString(value.Name);
        writer.WriteString(value.EmailAddress);
        writer.WriteString(value.CreditCard);
        writer.WriteString(value.City);
        writer.WriteString(value.State);
        writer.WriteVarInt64(value.DateTime);
        writer.WriteString(value.Extra);
    }

    public Person Read(ref PayloadReader reader)
    {
        long id = reader.ReadVarInt64();
        string name = reader.ReadString()!;
        string email = reader.ReadString()!;
        string creditCard = reader.ReadString()!;
        string city = reader.ReadString()!;
        string state = reader.ReadString()!;
        long dateTime = reader.ReadVarInt64();
        return new Person(id, name, email, creditCard, city, state, dateTime, reader.ReadString()!);
    }
}

internal sealed class AuctionCodec : IRecordCodec<Auction>
{
    public void Write(PayloadWriter writer, Auction value)
    {
        writer.WriteVarInt64(value.Id);
        writer.WriteString(value.ItemName);
        writer.WriteString(value.Description);
        writer.WriteVarInt64(value.InitialBid);
        writer.WriteVarInt64(value.Reserve);
        writer.WriteVarInt64(value.DateTime);
        writer.WriteVarInt64(value.Expires);
        writer.WriteVarInt64(value.Seller);
        writer.WriteVarInt64(value.Category);
        writer.WriteString(value.Extra);
    }

    public Auction Read(ref PayloadReader reader)
    {
        long id = reader.ReadVarInt64();
        string itemName = reader.ReadString()!;
        string description = reader.ReadString()!;
        long initialBid = reader.ReadVarInt64();
        long reserve = reader.ReadVarInt64();
        long dateTime = reader.ReadVarInt64();
        long expires = reader.ReadVarInt64();
        long seller = reader.ReadVarInt64();
        long category = reader.ReadVarInt64();
        return new Auction(id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, reader.ReadString()!);
    }
}

internal sealed class BidCodec : IRecordCodec<Bid>
{
    public void Write(PayloadWriter writer, Bid value)
    {
        writer.WriteVarInt64(value.Auction);
        writer.WriteVarInt64(value.Bidder);
        writer.WriteVarInt64(value.Price);
        writer.WriteString(value.Channel);
        writer.WriteString(value.Url);
        writer.WriteVarInt64(value.DateTime);
        writer.WriteString(value.Extra);
    }

    public Bid Read(ref PayloadReader reader)
    {
        long auction = reader.ReadVarInt64();
        long bidder = reader.ReadVarInt64();
        long price = reader.ReadVarInt64();
        string channel = reader.ReadString()!;
        string url = reader.ReadString()!;
        long dateTime = reader.ReadVarInt64();
        return new Bid(auction, bidder, price, channel, url, dateTime, reader.ReadString()!);
    }
}

/// <summary>A kind tag byte, then the record.</summary>
internal sealed class NexmarkEventCodec(PersonCodec persons, AuctionCodec auctions, BidCodec bids) : IRecordCodec<NexmarkEvent>
{
    public void Write(PayloadWriter writer, NexmarkEvent value)
    {
        writer.WriteByte((byte)value.Kind);
        switch (value.Kind)
        {
            case EventKind.Person:
                persons.Write(writer, value.Person!);
                break;
            case EventKind.Auction:
                auctions.Write(writer, value.Auction!);
                break;
            default:
                bids.Write(writer, value.Bid!);
                break;
        }
    }

    public NexmarkEvent Read(ref PayloadReader reader)
    {
        var kind = (EventKind)reader.ReadByte();
        return kind switch
        {
            EventKind.Person => new NexmarkEvent(persons.Read(ref reader)),
            EventKind.Auction => new NexmarkEvent(auctions.Read(ref reader)),
            EventKind.Bid => new NexmarkEvent(bids.Read(ref reader)),
            _ => throw new InvalidDataException($"Unknown Nexmark event kind tag {(byte)kind}."),
        };
    }
}

/// <summary>q5's window accumulator, for checkpoints: the maximum count and the auctions that have it.</summary>
internal sealed class TopAuctionsCodec : IRecordCodec<TopAuctions>
{
    public void Write(PayloadWriter writer, TopAuctions value)
    {
        writer.WriteVarInt64(value.MaxCount);
        writer.WriteVarInt32(value.Auctions.Count);
        foreach (long auction in value.Auctions)
        {
            writer.WriteVarInt64(auction);
        }
    }

    public TopAuctions Read(ref PayloadReader reader)
    {
        long maxCount = reader.ReadVarInt64();
        int count = reader.ReadVarInt32();
        var top = new TopAuctions();
        for (int i = 0; i < count; i++)
        {
            top.Add(reader.ReadVarInt64(), maxCount);
        }

        return top;
    }
}

/// <summary>q5's first-stage accumulator, for checkpoints: (auction, count) pairs.</summary>
internal sealed class AuctionCountsCodec : IRecordCodec<AuctionCounts>
{
    public void Write(PayloadWriter writer, AuctionCounts value)
    {
        writer.WriteVarInt32(value.Counts.Count);
        foreach (var (auction, count) in value.Counts)
        {
            writer.WriteVarInt64(auction);
            writer.WriteVarInt64(count);
        }
    }

    public AuctionCounts Read(ref PayloadReader reader)
    {
        int pairs = reader.ReadVarInt32();
        var counts = new AuctionCounts();
        for (int i = 0; i < pairs; i++)
        {
            counts.Add(reader.ReadVarInt64(), reader.ReadVarInt64());
        }

        return counts;
    }
}

/// <summary>q7's window accumulator, for checkpoints: the bids with the maximum price (which they carry).</summary>
internal sealed class MaxBidsCodec(BidCodec bids) : IRecordCodec<MaxBids>
{
    public void Write(PayloadWriter writer, MaxBids value)
    {
        writer.WriteVarInt32(value.Bids.Count);
        foreach (var bid in value.Bids)
        {
            bids.Write(writer, bid);
        }
    }

    public MaxBids Read(ref PayloadReader reader)
    {
        int count = reader.ReadVarInt32();
        var max = new MaxBids();
        for (int i = 0; i < count; i++)
        {
            max.Add(bids.Read(ref reader));
        }

        return max;
    }
}

/// <summary>q7's records between its two window stages.</summary>
internal sealed class HighestBidCodec(BidCodec bids) : IRecordCodec<HighestBid>
{
    public void Write(PayloadWriter writer, HighestBid value)
    {
        writer.WriteVarInt64(value.WindowStart);
        writer.WriteVarInt64(value.WindowEnd);
        bids.Write(writer, value.Bid);
    }

    public HighestBid Read(ref PayloadReader reader)
    {
        long start = reader.ReadVarInt64();
        long end = reader.ReadVarInt64();
        return new HighestBid(start, end, bids.Read(ref reader));
    }
}
