using OrleansStream.Codecs;

namespace OrleansStream.State;

/// <summary>
/// The storage of one named keyed state of one operator: entries for many keys, written into a
/// snapshot grouped by key group so that a restore with another parallelism can pick the key groups
/// each new subtask owns.
/// </summary>
public interface IKeyedStateTable
{
    string Name { get; }

    /// <summary>Writes every entry into the section of its key's key group.</summary>
    void Snapshot(KeyGroupSectionWriter writer);

    /// <summary>Adds the entries of one section, as written by <see cref="Snapshot"/>.</summary>
    void Restore(ref PayloadReader reader, int entries);

    /// <summary>
    /// Writes the entries of the key groups <paramref name="keyGroups"/> selects, as <see cref="Snapshot"/> does,
    /// and removes them: the state of key groups that move to another subtask while the job runs.
    /// </summary>
    void Extract(KeyGroupSectionWriter writer, Func<int, bool> keyGroups);
}

/// <summary>Hands a state table the writer of a key group's section; counts the entries written.</summary>
public abstract class KeyGroupSectionWriter
{
    /// <summary>The writer for one more entry in <paramref name="keyGroup"/>'s section.</summary>
    public abstract PayloadWriter BeginEntry(int keyGroup);
}
