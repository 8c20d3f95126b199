using YamlDotNet.RepresentationModel;

namespace OrleansStream.Topology.Document;

/// <summary>What every reader of one document shares: the file name for errors, the parameters for values, and the limits.</summary>
internal sealed class DocumentContext(string fileName, ParameterResolver parameters, TopologyLimits? limits = null)
{
    public string FileName { get; } = fileName;

    public ParameterResolver Parameters { get; } = parameters;

    public TopologyLimits Limits { get; } = limits ?? TopologyLimits.Default;

    public TopologyException Error(YamlNode node, FieldPath path, string problem, Exception? inner = null)
        => Error(checked((int)node.Start.Line), checked((int)node.Start.Column), path, problem, inner);

    public TopologyException Error(int line, int column, FieldPath path, string problem, Exception? inner = null)
        => new(FileName, line, column, path.Path, problem, path.Display, inner);
}
