using OrleansStream.Nexmark.Formats;
using OrleansStream.Nexmark.Generator;
using OrleansStream.Nexmark.Model;
using OrleansStream.Tests.Connectors;

namespace OrleansStream.Tests.Nexmark;

public sealed class NexmarkJsonTests
{
    [Fact]
    public async Task Generated_events_survive_a_json_lines_file()
    {
        var generator = new NexmarkGenerator(new NexmarkConfig { Seed = 11 });
        var events = Enumerable.Range(0, 3_000).Select(i => generator.Generate(i)).ToList();
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "events.jsonl");

        await NexmarkJson.WriteFileAsync(path, events);
        var lines = await File.ReadAllLinesAsync(path);

        Assert.Equal(3_000, lines.Length);
        var read = lines.Select(line => NexmarkJson.TryParse(line, out var e, out string error) ? e : throw new Xunit.Sdk.XunitException(error)).ToList();
        Assert.Equal(events, read);
    }

    [Fact]
    public void Each_kind_is_written_with_its_type_and_camel_case_fields()
    {
        var bid = new NexmarkEvent(new Bid(1001, 1002, 12345, "Google", "https://x/&\"q\"", 1_704_067_200_123, ""));
        var person = new NexmarkEvent(new Person(1000, "Kate Smith", "ab@cd.com", "0001 0002 0003 0004", "Boise", "ID", 5, "pad"));
        var auction = new NexmarkEvent(new Auction(1000, "item", "desc", 100, 250, 6, 99, 1000, 10, ""));

        Assert.Equal("""{"type":"bid","auction":1001,"bidder":1002,"price":12345,"channel":"Google","url":"https://x/&\"q\"","dateTime":1704067200123,"extra":""}""", NexmarkJson.Format(bid));
        Assert.Equal("""{"type":"person","id":1000,"name":"Kate Smith","emailAddress":"ab@cd.com","creditCard":"0001 0002 0003 0004","city":"Boise","state":"ID","dateTime":5,"extra":"pad"}""", NexmarkJson.Format(person));
        Assert.Equal("""{"type":"auction","id":1000,"itemName":"item","description":"desc","initialBid":100,"reserve":250,"dateTime":6,"expires":99,"seller":1000,"category":10,"extra":""}""", NexmarkJson.Format(auction));
        Assert.All(new[] { bid, person, auction }, e => Assert.Equal(e, Parse(NexmarkJson.Format(e))));
    }

    [Fact]
    public void Fields_may_come_in_any_order_extra_may_be_missing_and_unknown_fields_are_ignored()
    {
        var e = Parse("""{"dateTime":7,"price":3,"url":"u","note":{"a":[1,2]},"channel":"c","bidder":2,"auction":1,"type":"bid"}""");

        Assert.Equal(new NexmarkEvent(new Bid(1, 2, 3, "c", "u", 7, "")), e);
    }

    [Theory]
    [InlineData("", "empty line")]
    [InlineData("  ", "empty line")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"type\":\"bid\",", "invalid JSON")]
    [InlineData("{\"auction\":1}", "no \"type\" field")]
    [InlineData("{\"type\":\"sale\"}", "unknown type \"sale\"")]
    [InlineData("{\"type\":\"bid\",\"auction\":1,\"bidder\":2,\"channel\":\"c\",\"url\":\"u\"}", "bid without price, dateTime")]
    [InlineData("{\"type\":\"bid\",\"auction\":\"1\",\"bidder\":2,\"price\":3,\"channel\":\"c\",\"url\":\"u\",\"dateTime\":4}", "field \"auction\" must be an integer")]
    [InlineData("{\"type\":\"bid\",\"auction\":1.5,\"bidder\":2,\"price\":3,\"channel\":\"c\",\"url\":\"u\",\"dateTime\":4}", "field \"auction\" must be an integer")]
    [InlineData("{\"type\":\"person\",\"id\":1,\"name\":null}", "field \"name\" must be a string")]
    [InlineData("{\"type\":\"bid\",\"auction\":1,\"bidder\":2,\"price\":3,\"channel\":\"c\",\"url\":\"u\",\"dateTime\":4} x", "invalid JSON")]
    public void A_malformed_line_is_rejected_with_the_reason(string line, string reason)
    {
        Assert.False(NexmarkJson.TryParse(line, out _, out string error));
        Assert.Contains(reason, error);
    }

    private static NexmarkEvent Parse(string line)
        => NexmarkJson.TryParse(line, out var e, out string error) ? e : throw new Xunit.Sdk.XunitException(error);
}
