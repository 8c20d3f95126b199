namespace OrleansStream.Connectors;

/// <summary>
/// One of the interleaved parts of a generator's output. It carries the split count so that a reader
/// knows the stride of its indices without knowing how the splits were spread over subtasks.
/// </summary>
/// <param name="SplitId">A stable id, <c>"generator-{SplitIndex}-of-{SplitCount}"</c>.</param>
/// <param name="SplitIndex">This split's index, from 0.</param>
/// <param name="SplitCount">How many splits the generator was divided into.</param>
public sealed record GeneratorSplit(string SplitId, int SplitIndex, int SplitCount) : SourceSplit(SplitId)
{
    internal static GeneratorSplit Create(int index, int count) => new($"generator-{index}-of-{count}", index, count);
}
