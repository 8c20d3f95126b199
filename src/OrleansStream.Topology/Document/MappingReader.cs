using YamlDotNet.RepresentationModel;

namespace OrleansStream.Topology.Document;

/// <summary>
/// Reads the keys of one mapping of the document. Every key asked for, present or not, is a key that
/// applies here; <see cref="Finish"/> reports any other key in the mapping as unknown, naming those that apply.
/// </summary>
internal sealed class MappingReader
{
    private readonly YamlMappingNode _mapping;
    private readonly List<string> _asked = new();

    public MappingReader(YamlNode node, FieldPath path, DocumentContext context)
    {
        Context = context;
        Path = path;
        Node = node;
        _mapping = node as YamlMappingNode ?? throw context.Error(node, path, $"expected a mapping of keys to values, got {Describe(node)}");
    }

    public DocumentContext Context { get; }

    public FieldPath Path { get; }

    public YamlNode Node { get; }

    public bool Has(string key) => Find(key) is not null;

    /// <summary>The keys of the mapping in document order.</summary>
    public IEnumerable<YamlScalarNode> Keys => _mapping.Children.Keys.OfType<YamlScalarNode>();

    public YamlNode? Value(string key) => Find(key);

    public YamlNode RequiredValue(string key)
        => Find(key) ?? throw Context.Error(_mapping, Path, $"missing required key '{key}'");

    public ScalarValue? Scalar(string key) => Find(key) is { } node ? AsScalar(node, Path.Key(key), Context) : null;

    public ScalarValue RequiredScalar(string key) => AsScalar(RequiredValue(key), Path.Key(key), Context);

    public MappingReader? Mapping(string key) => Find(key) is { } node ? new MappingReader(node, Path.Key(key), Context) : null;

    /// <summary>A list of scalars: a sequence, or one scalar for a list of one.</summary>
    public IReadOnlyList<ScalarValue>? ScalarList(string key)
    {
        var node = Find(key);
        var path = Path.Key(key);
        return node switch
        {
            null => null,
            YamlSequenceNode sequence when sequence.Children.Count == 0 => throw Context.Error(node, path, "must not be an empty list"),
            YamlSequenceNode sequence => sequence.Children.Select((item, i) => AsScalar(item, path.Index(i), Context)).ToList(),
            _ => [AsScalar(node, path, Context)],
        };
    }

    /// <summary>Reports the first key that was never asked for.</summary>
    public void Finish()
    {
        foreach (var (keyNode, _) in _mapping.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (!_asked.Contains(key, StringComparer.Ordinal))
            {
                string applicable = _asked.Count == 0 ? "none" : string.Join(", ", _asked.Distinct());
                throw Context.Error(keyNode, Path.Key(key), $"unknown key '{key}' (keys here: {applicable})");
            }
        }
    }

    public static ScalarValue AsScalar(YamlNode node, FieldPath path, DocumentContext context)
        => node is YamlScalarNode scalar
            ? new ScalarValue(scalar, path, context)
            : throw context.Error(node, path, $"expected a single value, got {Describe(node)}");

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString(),
    };

    private YamlNode? Find(string key)
    {
        if (!_asked.Contains(key))
        {
            _asked.Add(key);
        }

        return _mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }
}
