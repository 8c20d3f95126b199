using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansStream.Nexmark.Model;

namespace OrleansStream.Nexmark.Formats;

/// <summary>
/// Events as JSON lines, one object per line, the way other Nexmark implementations can read and write them:
/// <c>{"type":"person"|"auction"|"bid", ...the record's fields in camelCase...}</c>, times as epoch milliseconds.
/// Reading is strict about what queries need: every field of the type must be present with the right JSON type
/// (only <c>extra</c> may be left out; it is then empty); unknown fields are ignored.
/// </summary>
public static class NexmarkJson
{
    // Relaxed escaping keeps URLs readable ('&' stays '&'): these are data files, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The event as one line of JSON, without the line break.</summary>
    public static string Format(NexmarkEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, e);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the event as one JSON object (the caller adds the line break).</summary>
    public static void Write(Utf8JsonWriter writer, NexmarkEvent e)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        switch (e.Kind)
        {
            case EventKind.Person:
                var person = e.Person!;
                writer.WriteString("type", "person");
                writer.WriteNumber("id", person.Id);
                writer.WriteString("name", person.Name);
                writer.WriteString("emailAddress", person.EmailAddress);
                writer.WriteString("creditCard", person.CreditCard);
                writer.WriteString("city", person.City);
                writer.WriteString("state", person.State);
                writer.WriteNumber("dateTime", person.DateTime);
                writer.WriteString("extra", person.Extra);
                break;
            case EventKind.Auction:
                var auction = e.Auction!;
                writer.WriteString("type", "auction");
                writer.WriteNumber("id", auction.Id);
                writer.WriteString("itemName", auction.ItemName);
                writer.WriteString("description", auction.Description);
                writer.WriteNumber("initialBid", auction.InitialBid);
                writer.WriteNumber("reserve", auction.Reserve);
                writer.WriteNumber("dateTime", auction.DateTime);
                writer.WriteNumber("expires", auction.Expires);
                writer.WriteNumber("seller", auction.Seller);
                writer.WriteNumber("category", auction.Category);
                writer.WriteString("extra", auction.Extra);
                break;
            default:
                var bid = e.Bid!;
                writer.WriteString("type", "bid");
                writer.WriteNumber("auction", bid.Auction);
                writer.WriteNumber("bidder", bid.Bidder);
                writer.WriteNumber("price", bid.Price);
                writer.WriteString("channel", bid.Channel);
                writer.WriteString("url", bid.Url);
                writer.WriteNumber("dateTime", bid.DateTime);
                writer.WriteString("extra", bid.Extra);
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads one line; false with a message saying what is wrong when it is not a valid event.</summary>
    public static bool TryParse(string line, out NexmarkEvent value, out string error)
    {
        ArgumentNullException.ThrowIfNull(line);
        byte[]? rented = null;
        int max = Encoding.UTF8.GetMaxByteCount(line.Length);
        Span<byte> utf8 = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(line, utf8);
            return TryParse(utf8[..length], out value, out error);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Reads one line of UTF-8; false with a message saying what is wrong when it is not a valid event.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out NexmarkEvent value, out string error)
    {
        value = default;
        if (utf8.Trim(" \t\r"u8).IsEmpty)
        {
            error = "empty line";
            return false;
        }

        var fields = new JsonEventFields();
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                if (!fields.TrySet(name, ref reader, out error))
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "unexpected content after the object";
                return false;
            }
        }
        catch (JsonException ex)
        {
            error = $"invalid JSON: {ex.Message}";
            return false;
        }

        return fields.TryBuild(out value, out error);
    }

    /// <summary>Writes <paramref name="events"/> to a JSON-lines file (UTF-8, '\n' line ends), replacing it.</summary>
    public static async Task WriteFileAsync(string path, IEnumerable<NexmarkEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(events);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        var writer = new Utf8JsonWriter(buffer, WriterOptions);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var e in events)
            {
                Write(writer, e);
                writer.Flush();
                writer.Reset();
                buffer.Write("\n"u8);
                if (buffer.WrittenCount >= 1 << 15)
                {
                    await file.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    buffer.ResetWrittenCount();
                }
            }

            await file.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
    }
}
