using System.Text.Json;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Formats;

/// <summary>
/// The fields of one JSON event as they are read, in any order ("type" need not come first), then checked
/// against what the event's type requires.
/// </summary>
internal ref struct JsonEventFields
{
    private string? _type;
    private long? _id, _initialBid, _reserve, _dateTime, _expires, _seller, _category, _auction, _bidder, _price;
    private string? _name, _emailAddress, _creditCard, _city, _state, _itemName, _description, _channel, _url, _extra;

    public bool TrySet(string name, ref Utf8JsonReader reader, out string error)
    {
        error = "";
        switch (name)
        {
            case "type": return String(ref reader, name, ref _type, out error);
            case "id": return Number(ref reader, name, ref _id, out error);
            case "initialBid": return Number(ref reader, name, ref _initialBid, out error);
            case "reserve": return Number(ref reader, name, ref _reserve, out error);
            case "dateTime": return Number(ref reader, name, ref _dateTime, out error);
            case "expires": return Number(ref reader, name, ref _expires, out error);
            case "seller": return Number(ref reader, name, ref _seller, out error);
            case "category": return Number(ref reader, name, ref _category, out error);
            case "auction": return Number(ref reader, name, ref _auction, out error);
            case "bidder": return Number(ref reader, name, ref _bidder, out error);
            case "price": return Number(ref reader, name, ref _price, out error);
            case "name": return String(ref reader, name, ref _name, out error);
            case "emailAddress": return String(ref reader, name, ref _emailAddress, out error);
            case "creditCard": return String(ref reader, name, ref _creditCard, out error);
            case "city": return String(ref reader, name, ref _city, out error);
            case "state": return String(ref reader, name, ref _state, out error);
            case "itemName": return String(ref reader, name, ref _itemName, out error);
            case "description": return String(ref reader, name, ref _description, out error);
            case "channel": return String(ref reader, name, ref _channel, out error);
            case "url": return String(ref reader, name, ref _url, out error);
            case "extra": return String(ref reader, name, ref _extra, out error);
            default:
                // Unknown fields are allowed (other implementations may add their own).
                reader.Skip();
                return true;
        }
    }

    public readonly bool TryBuild(out NexmarkEvent value, out string error)
    {
        value = default;
        var missing = new List<string>();
        string? type = _type;
        switch (type)
        {
            case "person":
                Require(_id is not null, "id"); Require(_name is not null, "name"); Require(_emailAddress is not null, "emailAddress"); Require(_creditCard is not null, "creditCard");
                Require(_city is not null, "city"); Require(_state is not null, "state"); Require(_dateTime is not null, "dateTime");
                if (Missing(out error)) return false;
                value = new NexmarkEvent(new Person(_id!.Value, _name!, _emailAddress!, _creditCard!, _city!, _state!, _dateTime!.Value, _extra ?? ""));
                return true;
            case "auction":
                Require(_id is not null, "id"); Require(_itemName is not null, "itemName"); Require(_description is not null, "description"); Require(_initialBid is not null, "initialBid");
                Require(_reserve is not null, "reserve"); Require(_dateTime is not null, "dateTime"); Require(_expires is not null, "expires"); Require(_seller is not null, "seller"); Require(_category is not null, "category");
                if (Missing(out error)) return false;
                value = new NexmarkEvent(new Auction(_id!.Value, _itemName!, _description!, _initialBid!.Value, _reserve!.Value, _dateTime!.Value, _expires!.Value, _seller!.Value, _category!.Value, _extra ?? ""));
                return true;
            case "bid":
                Require(_auction is not null, "auction"); Require(_bidder is not null, "bidder"); Require(_price is not null, "price"); Require(_channel is not null, "channel");
                Require(_url is not null, "url"); Require(_dateTime is not null, "dateTime");
                if (Missing(out error)) return false;
                value = new NexmarkEvent(new Bid(_auction!.Value, _bidder!.Value, _price!.Value, _channel!, _url!, _dateTime!.Value, _extra ?? ""));
                return true;
            case null:
                error = "no \"type\" field";
                return false;
            default:
                error = $"unknown type \"{_type}\" (expected person, auction or bid)";
                return false;
        }

        void Require(bool present, string name)
        {
            if (!present)
            {
                missing.Add(name);
            }
        }

        bool Missing(out string message)
        {
            message = missing.Count == 0 ? "" : $"{type} without {string.Join(", ", missing)}";
            return missing.Count > 0;
        }
    }

    private static bool Number(ref Utf8JsonReader reader, string name, ref long? field, out string error)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
        {
            error = $"field \"{name}\" must be an integer";
            return false;
        }

        field = value;
        error = "";
        return true;
    }

    private static bool String(ref Utf8JsonReader reader, string name, ref string? field, out string error)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            error = $"field \"{name}\" must be a string";
            return false;
        }

        field = reader.GetString();
        error = "";
        return true;
    }
}
