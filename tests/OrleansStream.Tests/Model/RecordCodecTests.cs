using OrleansStream.Codecs;
using OrleansStream.Windows;

namespace OrleansStream.Tests.Model;

public class RecordCodecTests
{
    public readonly record struct Visit(string Ip, long Timestamp);

    public sealed record Order(int Id, string? Customer, double Amount, bool Paid);

    public sealed class Mutable
    {
        public string Name { get; set; } = "";

        public List<int> Values { get; set; } = new();
    }

    private static T RoundTrip<T>(T value)
    {
        var writer = new PayloadWriter(4);
        var encoder = new RecordBatchEncoder<T>(RecordCodec.For<T>());
        encoder.Write(writer, value, 1_700_000_000_000);
        encoder.Write(writer, value, Time.Watermark.NoTimestamp);
        var output = new CollectingOutput<T>();
        new RecordBatchDecoder<T>(RecordCodec.For<T>(), output).Decode(writer.WrittenSpan, 2);
        Assert.Equal(new[] { 1_700_000_000_000, Time.Watermark.NoTimestamp }, output.Records.Select(r => r.Timestamp));
        return output.Records[1].Value;
    }

    [Fact]
    public void Built_in_types_round_trip()
    {
        Assert.Equal("héllo wörld ✓", RoundTrip("héllo wörld ✓"));
        Assert.Equal(new string('x', 300), RoundTrip(new string('x', 300)));
        Assert.Null(RoundTrip<string?>(null));
        Assert.Equal(long.MinValue, RoundTrip(long.MinValue));
        Assert.Equal(-5, RoundTrip(-5));
        Assert.Equal(3.25, RoundTrip(3.25));
        Assert.Equal(("a", 7L), RoundTrip(("a", 7L)));
        Assert.Equal(new WindowResult<string, long>("k", new TimeWindow(0, 5_000), 3), RoundTrip(new WindowResult<string, long>("k", new TimeWindow(0, 5_000), 3)));
    }

    [Fact]
    public void Positional_records_get_a_binary_codec()
    {
        Assert.IsNotType<JsonRecordCodec<Visit>>(RecordCodec.For<Visit>());
        Assert.Equal(new Visit("10.0.0.1", 42), RoundTrip(new Visit("10.0.0.1", 42)));
        Assert.Equal(new Order(1, null, 9.5, true), RoundTrip(new Order(1, null, 9.5, true)));
    }

    [Fact]
    public void Other_types_fall_back_to_json()
    {
        Assert.IsType<JsonRecordCodec<Mutable>>(RecordCodec.For<Mutable>());
        var copy = RoundTrip(new Mutable { Name = "n", Values = [1, 2] });
        Assert.Equal("n", copy.Name);
        Assert.Equal(new[] { 1, 2 }, copy.Values);
    }
}
