using OrleansStream.Codecs;
using OrleansStream.Topology.Parsing;
using OrleansStream.Topology.Rows;
using OrleansStream.Topology.Windows;

namespace OrleansStream.Tests.Topology;

/// <summary>The pieces under the steps: the row codec, the accumulator codec, line parsers and timestamp formats.</summary>
public sealed class RowPartsTests
{
    private static readonly RowSchema AllTypes = new([
        new RowField("s", FieldType.String),
        new RowField("l", FieldType.Long),
        new RowField("d", FieldType.Double),
        new RowField("b", FieldType.Bool),
        new RowField("t", FieldType.Timestamp),
    ]);

    [Fact]
    public void The_row_codec_writes_every_type_by_position_and_reads_it_back()
    {
        var row = new Row(5);
        row.SetString(0, "héllo");
        row.SetLong(1, -123_456_789_012);
        row.SetDouble(2, 0.1 + 0.2);
        row.SetBool(3, true);
        row.SetTimestamp(4, 1_772_366_400_123);
        var codec = new RowCodec(AllTypes);
        var writer = new PayloadWriter();

        codec.Write(writer, row);
        codec.Write(writer, row);
        var reader = new PayloadReader(writer.WrittenSpan);
        codec.Read(ref reader);
        var read = codec.Read(ref reader);

        Assert.True(reader.End);
        Assert.Equal(("héllo", -123_456_789_012L, 0.1 + 0.2, true, 1_772_366_400_123L), (read.GetString(0), read.GetLong(1), read.GetDouble(2), read.GetBool(3), read.GetTimestamp(4)));
        Assert.Equal(new DateTime(2026, 3, 1, 12, 0, 0, 123, DateTimeKind.Utc), read.GetDateTime(4));
    }

    [Fact]
    public void Window_accumulators_survive_a_state_snapshot_through_their_registered_codec()
    {
        var schema = new RowSchema([new RowField("ip", FieldType.String), new RowField("bytes", FieldType.Long), new RowField("ms", FieldType.Double)]);
        var aggregates = new List<AggregateSpec>
        {
            new("n", AggregateKind.Count, -1, FieldType.Long, FieldType.Long, -1),
            new("total", AggregateKind.Sum, 1, FieldType.Long, FieldType.Long, 0),
            new("slowest", AggregateKind.Max, 2, FieldType.Double, FieldType.Double, 0),
            new("mean", AggregateKind.Avg, 1, FieldType.Long, FieldType.Double, 1),
        };
        var function = new RowAggregateFunction(aggregates, [0]);
        var accumulator = function.CreateAccumulator();
        foreach (var (bytes, ms) in new[] { (100L, 2.5), (300L, 9.25), (50L, 1.0) })
        {
            var row = new Row(3);
            row.SetString(0, "10.0.0.1");
            row.SetLong(1, bytes);
            row.SetDouble(2, ms);
            accumulator = function.Add(row, accumulator);
        }

        var codec = RecordCodec.For<RowAccumulator>();
        var writer = new PayloadWriter();
        codec.Write(writer, accumulator);
        var reader = new PayloadReader(writer.WrittenSpan);
        var restored = codec.Read(ref reader);

        Assert.IsType<RowAccumulatorCodec>(codec);
        var result = new WindowRowFactory(aggregates, 1).Create("10.0.0.1", new OrleansStream.Windows.TimeWindow(0, 5_000), restored);
        var output = WindowRowFactory.Schema(schema, [0], aggregates);
        Assert.Equal(["window_start", "window_end", "ip", "n", "total", "slowest", "mean"], output.Fields.Select(f => f.Name));
        Assert.Equal(("10.0.0.1", 3L, 450L, 9.25, 150.0), (result.GetString(2), result.GetLong(3), result.GetLong(4), result.GetDouble(5), result.GetDouble(6)));
    }

    [Fact]
    public void A_JSON_line_is_read_by_paths_and_a_missing_value_is_a_reason_not_an_exception()
    {
        var parser = new JsonLineParser([
            new FieldSpec("user", FieldType.String, "who.name", null),
            new FieldSpec("amount", FieldType.Double, "amount", null),
            new FieldSpec("at", FieldType.Timestamp, "at", new TimestampFormat(["epoch-millis"])),
            new FieldSpec("ok", FieldType.Bool, "ok", null),
        ]);

        var row = parser.TryParse("""{"who":{"name":"ann"},"amount":12.5,"at":1000,"ok":true}""", out _);
        var missing = parser.TryParse("""{"who":{},"amount":1,"at":1,"ok":false}""", out string? missingReason);
        var notJson = parser.TryParse("ann,12.5", out string? notJsonReason);

        Assert.NotNull(row);
        Assert.Equal(("ann", 12.5, 1000L, true), (row.GetString(0), row.GetDouble(1), row.GetTimestamp(2), row.GetBool(3)));
        Assert.Null(missing);
        Assert.Equal("no value at 'who.name'", missingReason);
        Assert.Null(notJson);
        Assert.StartsWith("not JSON", notJsonReason);
    }

    [Theory]
    [InlineData("08:00:05", 28_805_000L)]
    [InlineData("2026-03-01_12:00:00", 1_772_366_400_000L)]
    public void A_format_without_a_date_reads_a_time_of_day_one_with_a_date_the_instant(string text, long expected)
    {
        var format = new TimestampFormat(["HH:mm:ss", "yyyy-MM-dd_HH:mm:ss"]);

        Assert.True(format.TryParse(text, out long timestamp));
        Assert.Equal(expected, timestamp);
        Assert.False(format.TryParse("8h00", out _));
    }

    [Fact]
    public void Split_needs_exactly_as_many_parts_as_fields()
    {
        var parser = new SplitLineParser([new FieldSpec("a", FieldType.Long, "a", null), new FieldSpec("b", FieldType.String, "b", null)], " ", trim: true);

        Assert.Equal((7L, "x"), parser.TryParse("  7 x ", out _) is { } row ? (row.GetLong(0), row.GetString(1)) : default);
        Assert.Null(parser.TryParse("7 x y", out string? more));
        Assert.Equal("expected 2 fields separated by ' ', got more", more);
        Assert.Null(parser.TryParse("seven x", out string? notLong));
        Assert.Equal("a is not a long", notLong);
    }
}
