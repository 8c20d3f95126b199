using OrleansStream.Codecs;
using OrleansStream.KeyGroups;

namespace OrleansStream.State;

/// <summary>A contiguous run of key groups' state, the unit in which keyed state is stored and re-split.</summary>
public sealed record KeyedStateChunk(KeyGroupRange KeyGroups, byte[] Data);

/// <summary>
/// Collects the keyed state of a subtask's operators into sections per key group and cuts them into
/// chunks of about a target size, so that large state is written as many rows and a restore reads
/// only the chunks of the key groups it owns. Chunk format, repeated per key group: key group,
/// section count, then per section the operator id, table name, entry count and the entries' bytes.
/// </summary>
public sealed class KeyedSnapshotBuilder : KeyGroupSectionWriter
{
    private readonly SortedDictionary<int, List<Section>> _sectionsByKeyGroup = new();
    private readonly Dictionary<int, Section> _currentTable = new();
    private string _operatorId = "";
    private string _table = "";

    public bool IsEmpty => _sectionsByKeyGroup.Count == 0;

    public void BeginTable(string operatorId, string table)
    {
        _operatorId = operatorId;
        _table = table;
        _currentTable.Clear();
    }

    public override PayloadWriter BeginEntry(int keyGroup)
    {
        if (!_currentTable.TryGetValue(keyGroup, out var section))
        {
            section = new Section(_operatorId, _table, new PayloadWriter(256));
            _currentTable.Add(keyGroup, section);
            SectionsOf(keyGroup).Add(section);
        }

        section.Entries++;
        return section.Data;
    }

    public void AddRawSection(string operatorId, string table, int keyGroup, ReadOnlySpan<byte> data, int entries)
    {
        var writer = new PayloadWriter(data.Length);
        data.CopyTo(writer.GetSpan(data.Length));
        writer.Advance(data.Length);
        SectionsOf(keyGroup).Add(new Section(operatorId, table, writer) { Entries = entries });
    }

    /// <summary>Cuts the sections into chunks of whole key groups, each closed once it reaches <paramref name="targetChunkBytes"/>.</summary>
    public IReadOnlyList<KeyedStateChunk> Build(int targetChunkBytes)
    {
        var chunks = new List<KeyedStateChunk>();
        var writer = new PayloadWriter(Math.Min(targetChunkBytes, 1 << 16));
        int first = -1;
        int last = -1;
        foreach (var (keyGroup, sections) in _sectionsByKeyGroup)
        {
            if (first < 0)
            {
                first = keyGroup;
            }

            last = keyGroup;
            writer.WriteVarInt32(keyGroup);
            writer.WriteVarInt32(sections.Count);
            foreach (var section in sections)
            {
                writer.WriteString(section.OperatorId);
                writer.WriteString(section.Table);
                writer.WriteVarInt32(section.Entries);
                writer.WriteBytes(section.Data.WrittenSpan);
            }

            if (writer.Length >= targetChunkBytes)
            {
                chunks.Add(new KeyedStateChunk(new KeyGroupRange(first, last), writer.ToArray()));
                writer.Reset();
                first = -1;
            }
        }

        if (first >= 0)
        {
            chunks.Add(new KeyedStateChunk(new KeyGroupRange(first, last), writer.ToArray()));
        }

        return chunks;
    }

    /// <summary>Hands the sections of <paramref name="chunk"/> to the stores of the operators they belong to, for the key groups each owns.</summary>
    public static void Restore(ReadOnlySpan<byte> chunk, Func<string, OperatorStateStore?> storeOf)
        => Read(chunk, storeOf, static (store, table, keyGroup, data, entries) => store.AddRestoredSection(table, keyGroup, data, entries));

    /// <summary>Hands the sections of <paramref name="chunk"/>, key groups another subtask handed over, to the stores of their operators.</summary>
    public static void Install(ReadOnlySpan<byte> chunk, Func<string, OperatorStateStore?> storeOf)
        => Read(chunk, storeOf, static (store, table, keyGroup, data, entries) => store.AddMigratedSection(table, keyGroup, data, entries));

    private static void Read(ReadOnlySpan<byte> chunk, Func<string, OperatorStateStore?> storeOf, Action<OperatorStateStore, string, int, byte[], int> add)
    {
        var reader = new PayloadReader(chunk);
        while (!reader.End)
        {
            int keyGroup = reader.ReadVarInt32();
            int sections = reader.ReadVarInt32();
            for (int i = 0; i < sections; i++)
            {
                string operatorId = reader.ReadString() ?? "";
                string table = reader.ReadString() ?? "";
                int entries = reader.ReadVarInt32();
                var data = reader.ReadBytes();
                if (storeOf(operatorId) is { } store)
                {
                    add(store, table, keyGroup, data.ToArray(), entries);
                }
            }
        }
    }

    private List<Section> SectionsOf(int keyGroup)
    {
        if (!_sectionsByKeyGroup.TryGetValue(keyGroup, out var sections))
        {
            _sectionsByKeyGroup[keyGroup] = sections = new List<Section>();
        }

        return sections;
    }

    private sealed class Section(string operatorId, string table, PayloadWriter data)
    {
        public string OperatorId { get; } = operatorId;

        public string Table { get; } = table;

        public PayloadWriter Data { get; } = data;

        public int Entries { get; set; }
    }
}
