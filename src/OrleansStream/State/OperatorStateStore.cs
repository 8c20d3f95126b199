using OrleansStream.Codecs;
using OrleansStream.KeyGroups;

namespace OrleansStream.State;

/// <summary>
/// All state of one operator instance: its keyed state tables and what it was restored from. The
/// hosting task fills it from a checkpoint before the operator opens and snapshots it at every
/// barrier. Restored keyed state waits here until the operator creates the table it belongs to, so
/// that state created lazily is restored too; state never claimed is carried into later snapshots
/// unchanged.
/// </summary>
public sealed class OperatorStateStore
{
    private readonly Dictionary<string, IKeyedStateTable> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RestoredSection>> _unclaimed = new(StringComparer.Ordinal);
    private readonly int _maxParallelism;
    private object? _backend;

    public OperatorStateStore(string operatorId, int maxParallelism, KeyGroupRange keyGroups)
    {
        OperatorId = operatorId;
        _maxParallelism = maxParallelism;
        KeyGroups = keyGroups;
    }

    /// <summary>The operator's stable id (its uid): how its state is found in a checkpoint.</summary>
    public string OperatorId { get; }

    /// <summary>The key groups this subtask owns.</summary>
    public KeyGroupRange KeyGroups { get; }

    /// <summary>The checkpoint this operator was restored from, or null on a fresh start.</summary>
    public long? RestoredCheckpointId { get; private set; }

    /// <summary>The operator (non-keyed) state items this subtask was given on restore; empty on a fresh start.</summary>
    public IReadOnlyList<byte[]> RestoredOperatorState { get; private set; } = Array.Empty<byte[]>();

    public IEnumerable<IKeyedStateTable> Tables => _tables.Values;

    /// <summary>True when the operator has keyed state tables or restored keyed state no table has claimed yet.</summary>
    public bool HasKeyedState => _tables.Count > 0 || _unclaimed.Count > 0;

    /// <summary>The operator's keyed state; an operator has one key type.</summary>
    public KeyedStateBackend<TKey> GetKeyedStateBackend<TKey>()
        where TKey : notnull
    {
        _backend ??= new KeyedStateBackend<TKey>(this, _maxParallelism);
        return _backend as KeyedStateBackend<TKey> ?? throw new InvalidOperationException(
            $"Operator '{OperatorId}' asked for keyed state with key type {typeof(TKey).Name} but already has it with another key type.");
    }

    /// <summary>Marks the store as restored from <paramref name="checkpointId"/> with these operator state items.</summary>
    public void SetRestored(long checkpointId, IReadOnlyList<byte[]> operatorState)
    {
        RestoredCheckpointId = checkpointId;
        RestoredOperatorState = operatorState;
    }

    /// <summary>Adds restored entries of one table and key group; applied now if the table exists, else when it is created.</summary>
    public void AddRestoredSection(string table, int keyGroup, byte[] data, int entries)
    {
        if (KeyGroups.Contains(keyGroup))
        {
            AddSection(table, keyGroup, data, entries);
        }
    }

    /// <summary>
    /// Adds the entries of one table and key group that another subtask handed over while the job runs
    /// (live rescaling): the key group is this subtask's from now on, whatever its range at deployment.
    /// </summary>
    public void AddMigratedSection(string table, int keyGroup, byte[] data, int entries) => AddSection(table, keyGroup, data, entries);

    /// <summary>
    /// Writes the state of the key groups <paramref name="keyGroups"/> selects into <paramref name="builder"/> and
    /// removes it from this store: tables and restored sections no table has claimed yet.
    /// </summary>
    public void ExtractKeyGroups(KeyedSnapshotBuilder builder, Func<int, bool> keyGroups)
    {
        foreach (var table in _tables.Values)
        {
            builder.BeginTable(OperatorId, table.Name);
            table.Extract(builder, keyGroups);
        }

        foreach (var (table, sections) in _unclaimed)
        {
            foreach (var section in sections.Where(s => keyGroups(s.KeyGroup)))
            {
                builder.AddRawSection(OperatorId, table, section.KeyGroup, section.Data, section.Entries);
            }

            sections.RemoveAll(s => keyGroups(s.KeyGroup));
        }

        foreach (var table in _unclaimed.Where(kv => kv.Value.Count == 0).Select(kv => kv.Key).ToList())
        {
            _unclaimed.Remove(table);
        }
    }

    private void AddSection(string table, int keyGroup, byte[] data, int entries)
    {
        var section = new RestoredSection(keyGroup, data, entries);
        if (_tables.TryGetValue(table, out var existing))
        {
            Apply(existing, section);
            return;
        }

        if (!_unclaimed.TryGetValue(table, out var sections))
        {
            _unclaimed[table] = sections = new List<RestoredSection>();
        }

        sections.Add(section);
    }

    /// <summary>Writes every table, and restored sections no table has claimed, into <paramref name="builder"/>.</summary>
    public void SnapshotKeyedState(KeyedSnapshotBuilder builder)
    {
        foreach (var table in _tables.Values)
        {
            builder.BeginTable(OperatorId, table.Name);
            table.Snapshot(builder);
        }

        foreach (var (table, sections) in _unclaimed)
        {
            foreach (var section in sections)
            {
                builder.AddRawSection(OperatorId, table, section.KeyGroup, section.Data, section.Entries);
            }
        }
    }

    internal bool TryGetTable(string name, out IKeyedStateTable table) => _tables.TryGetValue(name, out table!);

    /// <summary>True when restored entries wait for a table named <paramref name="name"/> that has not been created.</summary>
    internal bool HasUnclaimedState(string name) => _unclaimed.ContainsKey(name);

    internal void AddTable(IKeyedStateTable table)
    {
        _tables.Add(table.Name, table);
        if (_unclaimed.Remove(table.Name, out var sections))
        {
            foreach (var section in sections)
            {
                Apply(table, section);
            }
        }
    }

    private static void Apply(IKeyedStateTable table, RestoredSection section)
    {
        var reader = new PayloadReader(section.Data);
        table.Restore(ref reader, section.Entries);
    }

    private readonly record struct RestoredSection(int KeyGroup, byte[] Data, int Entries);
}
