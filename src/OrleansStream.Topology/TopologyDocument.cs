using OrleansStream.Api;
using OrleansStream.Topology.Document;
using OrleansStream.Topology.Steps;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace OrleansStream.Topology;

/// <summary>
/// A job described in a YAML or JSON file (JSON is read as YAML). <see cref="Parse"/> checks all it can
/// before any job starts (keys, types, expressions against the fields at their step, keys and aggregates of
/// windows); what needs job parameters without defaults is checked again when <see cref="TopologyJob"/>
/// builds the job with its parameters. See docs/topology.md for the format.
/// </summary>
public sealed class TopologyDocument
{
    private readonly TopologyLimits _limits;

    private TopologyDocument(string fileName, string text, YamlNode root, string? name, TopologyLimits limits)
    {
        _limits = limits;
        FileName = fileName;
        Text = text;
        Root = root;
        Name = name;
    }

    /// <summary>The name errors are reported under.</summary>
    public string FileName { get; }

    /// <summary>The document as given.</summary>
    public string Text { get; }

    /// <summary>The job's name from the top-level <c>name</c> key (as written, before parameters are substituted), if any.</summary>
    public string? Name { get; }

    internal YamlNode Root { get; }

    /// <summary>Reads and validates a topology.</summary>
    /// <param name="text">The YAML or JSON text.</param>
    /// <param name="fileName">The name errors are reported under, e.g. <c>ipcount.yaml</c>.</param>
    /// <param name="limits">How large it may be; <see cref="TopologyLimits.Default"/> when null.</param>
    /// <exception cref="TopologyException">The topology is not valid or exceeds a limit; the message names the file, line, column and field.</exception>
    public static TopologyDocument Parse(string text, string fileName, TopologyLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        limits ??= TopologyLimits.Default;
        var root = Load(text, fileName, limits);
        string? name = root is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode("name"), out var node) && node is YamlScalarNode scalar
            ? scalar.Value
            : null;
        var document = new TopologyDocument(fileName, text, root, name, limits);
        try
        {
            document.AddTo(new StreamBuilder(), ParameterResolver.ForValidation);
        }
        catch (DeferredValidationException)
        {
            // The rest needs job parameters: it is checked when the job is built.
        }

        return document;
    }

    /// <summary>Reads and validates a topology file.</summary>
    public static async Task<TopologyDocument> LoadAsync(string path, TopologyLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= TopologyLimits.Default;
        // No character takes more than four bytes of UTF-8 (JobTopology.MaxFileBytes): a longer file cannot be within the limit, and is not read.
        long length = new FileInfo(path).Length;
        if (length > limits.MaxLength * 4L)
        {
            throw new TopologyException(Path.GetFileName(path), 1, 1, string.Empty, $"the file is {length:N0} bytes long; the limit is {limits.MaxLength:N0} characters");
        }

        return Parse(await File.ReadAllTextAsync(path, cancellationToken), Path.GetFileName(path), limits);
    }

    internal void AddTo(StreamBuilder builder, ParameterResolver parameters)
        => new TopologyGraphBuilder(Root, new DocumentContext(FileName, parameters, _limits)).AddTo(builder);

    private static YamlNode Load(string text, string fileName, TopologyLimits limits)
    {
        var stream = new YamlStream();
        // Its current event is where YamlDotNet's node builder stopped, for the errors it reports without a position.
        var parser = new Parser(new StringReader(text));
        try
        {
            DocumentBounds.Check(text, fileName, limits);
            stream.Load(parser);
        }
        catch (ArgumentException ex) when (parser.Current is { } unexpected)
        {
            // YamlDotNet's node builder meets an event the parser allows where it wants a value (found by fuzzing: ": files" as a line).
            throw new TopologyException(fileName, checked((int)unexpected.Start.Line), checked((int)unexpected.Start.Column), string.Empty,
                $"not valid YAML or JSON: {Describe(unexpected)} where a value should be (a key without a value, or a ':' without a key?)", inner: ex);
        }
        catch (YamlException ex)
        {
            string problem = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            // At the end of the text the scanner's mark is past the last line: report the last one.
            int line = Math.Min(checked((int)ex.Start.Line), text.Split('\n').Length);
            throw new TopologyException(fileName, line, checked((int)ex.Start.Column), string.Empty, $"not valid YAML or JSON: {problem}", inner: ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner fails this way, without a position, on some unclosed brackets at the end of the text.
            int lines = text.Split('\n').Length;
            throw new TopologyException(fileName, lines, 1, string.Empty, "not valid YAML or JSON: the text ends inside a bracket or quote that is never closed", inner: ex);
        }

        if (stream.Documents.Count != 1)
        {
            throw new TopologyException(fileName, 1, 1, string.Empty, stream.Documents.Count == 0 ? "the file is empty" : "expected one document, found several");
        }

        return stream.Documents[0].RootNode;
    }

    private static string Describe(ParsingEvent unexpected) => unexpected switch
    {
        MappingEnd => "the end of a mapping",
        SequenceEnd => "the end of a list",
        DocumentStart or DocumentEnd or StreamEnd => "the end of the document",
        _ => $"a {unexpected.GetType().Name}",
    };
}
