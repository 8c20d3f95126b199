using OrleansStream.Topology;
using OrleansStream.Topology.Document;
using OrleansStream.Topology.Expressions;
using OrleansStream.Topology.Rows;
using YamlDotNet.RepresentationModel;

namespace OrleansStream.Tests.Topology;

/// <summary>
/// What one expression does to one record is bounded: the members that make long strings check the length
/// before they allocate, and what is not a value of the row's kind cannot be called or made at all.
/// </summary>
public sealed class ExpressionBoundsTests
{
    private static readonly RowSchema Schema = new([new RowField("ip", FieldType.String), new RowField("bytes", FieldType.Long), new RowField("time", FieldType.Timestamp)]);

    [Theory]
    [InlineData("new string((char)97, 1000000000).Replace(\"a\", \"bb\").Length", "new string(c, count) would make a string of 1,000,000,000 characters; expressions make strings of at most 1,048,576")]
    [InlineData("ip.PadLeft(2000000000).Length", "PadLeft would make a string of 2,000,000,000 characters; expressions make strings of at most 1,048,576")]
    [InlineData("ip.PadRight(1048577, '-').Length", "PadRight would make a string of 1,048,577 characters; expressions make strings of at most 1,048,576")]
    [InlineData("new string('a', 1048576).Replace(\"a\", \"bb\").Length", "Replace would make a string of 2,097,152 characters; expressions make strings of at most 1,048,576")]
    [InlineData("string.Join(new string(' ', 1048576), ip.Split('.')).Length", "Join would make a string of 3,145,733 characters; expressions make strings of at most 1,048,576")]
    [InlineData("bytes.ToString(\"D999999999\").Length", "the precision of the format 'D999999999' is above 100")]
    public void A_member_that_would_make_a_string_too_long_fails_the_record_before_it_allocates(string expression, string message)
    {
        var evaluate = Compile<int>(expression);

        var error = Assert.Throws<ExpressionLimitException>(() => evaluate(Row("10.0.0.1", 5)));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("new System.Text.StringBuilder(1000000000).Length > 0", "unknown identifier")]
    [InlineData("new Random().Next() > 0", "unknown identifier")]
    [InlineData("string.Format(\"{0,1000000000}\", ip).Length > 0", "'string.Format' may not be called in expressions: build the string with + and ToString(format)")]
    [InlineData("ip.Replace(\"a\", \"b\", true, null).Length > 0", "only Replace(string, string) and Replace(char, char) may be called in expressions")]
    public void What_could_allocate_without_bound_is_refused_when_the_topology_is_parsed(string expression, string message)
    {
        var error = Assert.Throws<TopologyException>(() => Compile<bool>(expression));

        Assert.Contains(message, error.Message);
        Assert.StartsWith("expr.yaml:1:1: expression: ", error.Message);
    }

    [Theory]
    [InlineData("ip.Split('.')[0] + \"-\" + bytes.ToString(\"D4\")", "10-0005")]
    [InlineData("ip.Replace(\".\", \"::\").PadLeft(16, '_')", "_____10::0::0::1")]
    [InlineData("string.Join(\"/\", ip.Split('.').Reverse().ToArray())", "1/0/0/10")]
    [InlineData("new string('x', 3) + time.ToString(\"HH:mm\") + new DateTime(2020, 1, 1).Year", "xxx00:002020")]
    [InlineData("Math.Max(bytes, 7).ToString() + ip.Split('.').Last() + IsIpAddress(ip)", "71True")]
    public void Ordinary_expressions_work_as_before(string expression, string expected)
    {
        Assert.Equal(expected, Compile<string>(expression)(Row("10.0.0.1", 5)));
    }

    private static Row Row(string ip, long bytes)
    {
        var row = new Row(3);
        row.SetString(0, ip);
        row.SetLong(1, bytes);
        row.SetDateTime(2, DateTime.UnixEpoch);
        return row;
    }

    private static Func<Row, T> Compile<T>(string source)
    {
        var compiler = new RowExpressions(Schema);
        var value = new ScalarValue(new YamlScalarNode(source), FieldPath.Root.Key("expression"), new DocumentContext("expr.yaml", ParameterResolver.ForValidation));
        return compiler.Compile<T>(compiler.Parse(value, typeof(T))!);
    }
}
