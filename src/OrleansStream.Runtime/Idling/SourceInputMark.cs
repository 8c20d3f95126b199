namespace OrleansStream.Runtime.Idling;

/// <summary>What one source subtask had read as it last reported (<see cref="Api.Connectors.IWatchableSource.MarkOf"/>): an idle job wakes on input beyond it.</summary>
[GenerateSerializer, Immutable, Alias("orleansstream.source-input-mark")]
internal sealed record SourceInputMark([property: Id(0)] int VertexId, [property: Id(1)] int Subtask, [property: Id(2)] string Mark);
