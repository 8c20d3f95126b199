using OrleansStream.Codecs;
using OrleansStream.Graph;
using OrleansStream.Operators;

namespace OrleansStream.Tests.Model;

/// <summary>Network outputs that collect what an operator chain sends, by the name of the target vertex's head.</summary>
internal sealed class CollectingNetwork : INetworkOutputFactory
{
    private readonly Dictionary<string, object> _outputs = new();

    public IOutput<T> Create<T>(JobEdge edge, IRecordCodec<T> codec, Func<T, int>? keyHash)
    {
        var output = new CollectingOutput<T>();
        _outputs.Add(edge.Target.Head.Name, output);
        return output;
    }

    public CollectingOutput<T> Of<T>(string target) => (CollectingOutput<T>)_outputs[target];
}
