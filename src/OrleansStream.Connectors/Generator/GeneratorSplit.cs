using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Generator;

/// <summary>
/// One of the interleaved parts of a generator's output and how many of its records were emitted. It carries
/// the split count so that a reader knows the stride of its indices without knowing how the splits were
/// spread over subtasks, which also lets a restored split move to any subtask.
/// </summary>
/// <param name="SplitId">A stable id, <c>"generator-{SplitIndex}-of-{SplitCount}"</c>.</param>
/// <param name="SplitIndex">This split's index, from 0.</param>
/// <param name="SplitCount">How many splits the generator was divided into.</param>
/// <param name="Emitted">How many records of this split were emitted: a reader continues with the next one.</param>
/// <param name="Finished">True when the split has produced all its records.</param>
public sealed record GeneratorSplit(string SplitId, int SplitIndex, int SplitCount, long Emitted = 0, bool Finished = false)
    : SourceSplit(SplitId)
{
    internal static GeneratorSplit Create(int index, int count) => new($"generator-{index}-of-{count}", index, count);

    /// <summary>Throws when the split cannot have come from a generator, e.g. a corrupted checkpoint.</summary>
    internal void Validate()
    {
        if (SplitCount < 1 || SplitIndex < 0 || SplitIndex >= SplitCount)
        {
            throw new ArgumentException($"The generator split '{SplitId}' has index {SplitIndex} of {SplitCount} splits.");
        }

        if (Emitted < 0)
        {
            throw new ArgumentException($"The generator split '{SplitId}' has a negative emitted count {Emitted}.");
        }
    }
}
