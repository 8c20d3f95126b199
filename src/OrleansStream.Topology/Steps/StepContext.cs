using OrleansStream.Api;
using OrleansStream.Topology.Document;

namespace OrleansStream.Topology.Steps;

/// <summary>One step being added to the graph: its settings, its name and uid, and the output it reads.</summary>
internal sealed class StepContext(StreamBuilder builder, MappingReader step, string kind, string name, StepOutput? input)
{
    public StreamBuilder Builder { get; } = builder;

    public MappingReader Step { get; } = step;

    /// <summary>The step's type, e.g. <c>filter</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>The step's name: the name of its operator and the uid its state is stored under.</summary>
    public string Name { get; } = name;

    public StepOutput? Input { get; } = input;

    public DocumentContext Document => Step.Context;

    public TopologyException Error(string problem, Exception? inner = null) => Document.Error(Step.Node, Step.Path, problem, inner);

    /// <summary>The parallelism the step sets for itself.</summary>
    public int? OwnParallelism => Step.Scalar("parallelism")?.Int(1);

    /// <summary>A step that keeps records in order runs at its input's parallelism unless it sets its own, so it chains to it.</summary>
    public int? InheritedParallelism => OwnParallelism ?? Input?.Parallelism;

    public RowOutput Rows()
        => Input switch
        {
            RowOutput rows => rows,
            LineOutput lines => throw Error($"a {Kind} step needs rows, but '{lines.StepName}' gives lines of text: parse them first with a split, regex or json step"),
            _ => throw Error($"a {Kind} step needs an input"),
        };

    public LineOutput Lines()
        => Input switch
        {
            LineOutput lines => lines,
            RowOutput rows => throw Error($"a {Kind} step parses lines of text, but '{rows.StepName}' gives rows"),
            _ => throw Error($"a {Kind} step needs a source before it"),
        };

    /// <summary>The value, which must be known now: while validating without parameters, validation stops here.</summary>
    public static ScalarValue Known(ScalarValue value) => value.IsDeferred ? throw new DeferredValidationException() : value;

    public static DataStream<T> WithParallelism<T>(DataStream<T> stream, int? parallelism)
        => parallelism is { } p ? stream.SetParallelism(p) : stream;
}
