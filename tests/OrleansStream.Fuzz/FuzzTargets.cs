using System.Text;
using System.Text.RegularExpressions;
using OrleansStream.Codecs;
using OrleansStream.Connectors.Files;
using OrleansStream.Samples.IpCount;
using OrleansStream.Topology;
using OrleansStream.Topology.Parsing;
using OrleansStream.Topology.Rows;

namespace OrleansStream.Fuzz;

/// <summary>
/// What the fuzzer feeds: each target hands arbitrary bytes to one parser or decoder. The exceptions that report
/// bad input are that input's answer and are caught here; anything else (a crash, a stack overflow, a hang, memory
/// without bound) is a finding. The regular suite replays the inputs kept in tests/fuzz/regressions through the same
/// targets.
/// </summary>
public static class FuzzTargets
{
    public static readonly string[] Names = ["topology", "json-line", "split-line", "regex-line", "log-line", "row-codec", "record-codecs"];

    /// <summary>Well-formed payloads for the codec targets to start from (text targets start from files in tests/fuzz/seeds).</summary>
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> CodecSeeds()
    {
        var writer = new PayloadWriter();
        var codec = new RowCodec(Parsers.AllTypes);
        var row = new Row(5);
        row.SetString(0, "10.0.0.1");
        row.SetLong(1, -42);
        row.SetDouble(2, 2.5);
        row.SetBool(3, true);
        row.SetDateTime(4, new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc));
        codec.Write(writer, row);
        codec.Write(writer, new Row(5));
        yield return ("row-codec", "two-rows", writer.ToArray());

        writer = new PayloadWriter();
        RecordCodec.For<string>().Write(writer, "héllo");
        RecordCodec.For<long>().Write(writer, long.MinValue);
        RecordCodec.For<(string, long, double)>().Write(writer, ("a", 7, 0.5));
        RecordCodec.For<Visit>().Write(writer, new Visit("10.0.0.2", 28_800_000));
        yield return ("record-codecs", "mixed", writer.ToArray());
    }

    /// <exception cref="ArgumentException">No target has that name.</exception>
    public static void Run(string target, ReadOnlySpan<byte> input)
    {
        switch (target)
        {
            case "topology":
                Topology(Encoding.UTF8.GetString(input));
                break;
            case "json-line":
                Parsers.Json.TryParse(Encoding.UTF8.GetString(input), out _);
                break;
            case "split-line":
                Parsers.Split.TryParse(Encoding.UTF8.GetString(input), out _);
                break;
            case "regex-line":
                Parsers.Pattern.TryParse(Encoding.UTF8.GetString(input), out _);
                break;
            case "log-line":
                LogLine.Parse(new TextLine("fuzz.log", 1, Encoding.UTF8.GetString(input)));
                break;
            case "row-codec":
                Decode(input, static (ref PayloadReader reader) => new RowCodec(Parsers.AllTypes).Read(ref reader));
                break;
            case "record-codecs":
                Decode(input, static (ref PayloadReader reader) => RecordCodec.For<string>().Read(ref reader));
                Decode(input, static (ref PayloadReader reader) => RecordCodec.For<long>().Read(ref reader));
                Decode(input, static (ref PayloadReader reader) => RecordCodec.For<(string, long, double)>().Read(ref reader));
                Decode(input, static (ref PayloadReader reader) => RecordCodec.For<Visit>().Read(ref reader));
                break;
            default:
                throw new ArgumentException($"No fuzz target '{target}'; the targets: {string.Join(", ", Names)}.", nameof(target));
        }
    }

    private static void Topology(string text)
    {
        try
        {
            TopologyDocument.Parse(text, "fuzz.yaml");
        }
        catch (TopologyException)
        {
            // The answer to a bad document: one line naming where.
        }
    }

    /// <summary>
    /// The parsers, made on first use: the instrumented assemblies may run only under the fuzzer (SharpFuzz maps their
    /// coverage memory when it starts), and touching them from FuzzTargets' own initializer would be too early.
    /// </summary>
    private static class Parsers
    {
        public static readonly RowSchema AllTypes = new([
            new RowField("s", FieldType.String),
            new RowField("l", FieldType.Long),
            new RowField("d", FieldType.Double),
            new RowField("b", FieldType.Bool),
            new RowField("t", FieldType.Timestamp),
        ]);

        public static readonly JsonLineParser Json = new([
            new FieldSpec("user", FieldType.String, "who.name", null),
            new FieldSpec("amount", FieldType.Double, "amount", null),
            new FieldSpec("at", FieldType.Timestamp, "at", new TimestampFormat(["epoch-millis"])),
            new FieldSpec("ok", FieldType.Bool, "ok", null),
        ]);

        public static readonly SplitLineParser Split = new([
            new FieldSpec("time", FieldType.Timestamp, "time", new TimestampFormat(["HH:mm:ss", "yyyy-MM-dd_HH:mm:ss"])),
            new FieldSpec("ip", FieldType.String, "ip", null),
            new FieldSpec("bytes", FieldType.Long, "bytes", null),
        ], " ", trim: true);

        public static readonly RegexLineParser Pattern = new([
            new FieldSpec("time", FieldType.Timestamp, "time", new TimestampFormat(["iso"])),
            new FieldSpec("level", FieldType.String, "level", null),
            new FieldSpec("took", FieldType.Double, "took", null),
        ], new Regex(@"^(?<time>\S+) \[(?<level>\w+)\] took (?<took>[0-9.]+)ms", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
    }

    private delegate object? Reader(ref PayloadReader reader);

    /// <summary>Reads records until the bytes end; a malformed payload must fail as one, not otherwise.</summary>
    private static void Decode(ReadOnlySpan<byte> input, Reader read)
    {
        var reader = new PayloadReader(input);
        try
        {
            while (!reader.End)
            {
                read(ref reader);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IndexOutOfRangeException or ArgumentOutOfRangeException or OverflowException)
        {
            // Truncated or malformed: the reader ran out of bytes or met an impossible length.
        }
    }
}
