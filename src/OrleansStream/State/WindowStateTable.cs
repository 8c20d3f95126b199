using System.Runtime.InteropServices;
using OrleansStream.Codecs;

namespace OrleansStream.State;

/// <summary>
/// Accumulators per key held per window end (the window's namespace, as Flink calls it): windows
/// fire in order by taking from the front, and most elements fall into the window the previous one did.
/// </summary>
public sealed class WindowStateTable<TKey, TAcc> : IKeyedStateTable
    where TKey : notnull
{
    private readonly SortedDictionary<long, Dictionary<TKey, TAcc>> _windowsByEnd = new();
    private readonly Func<TKey, int> _keyGroupOf;
    private readonly IRecordCodec<TKey> _keyCodec = RecordCodec.For<TKey>();
    private readonly IRecordCodec<TAcc> _accumulatorCodec = RecordCodec.For<TAcc>();
    private long _cachedEnd = long.MinValue;
    private Dictionary<TKey, TAcc>? _cachedWindow;

    internal WindowStateTable(string name, Func<TKey, int> keyGroupOf)
    {
        Name = name;
        _keyGroupOf = keyGroupOf;
    }

    public string Name { get; }

    public int WindowCount => _windowsByEnd.Count;

    /// <summary>The accumulator of <paramref name="key"/> in the window ending at <paramref name="end"/>, added if missing.</summary>
    public ref TAcc? GetOrAdd(long end, TKey key, out bool exists)
        => ref CollectionsMarshal.GetValueRefOrAddDefault(ContentsOf(end), key, out exists);

    /// <summary>True when <paramref name="key"/> has an accumulator in the window ending at <paramref name="end"/>.</summary>
    public bool Contains(long end, TKey key)
        => (end == _cachedEnd ? _cachedWindow : _windowsByEnd.GetValueOrDefault(end))?.ContainsKey(key) ?? false;

    /// <summary>
    /// Adds the accumulators of a window taken from another table (<see cref="TryTakeFirst"/>): the
    /// dictionary itself is kept when this table has no such window, else its entries are added (and win).
    /// </summary>
    public void AddWindow(long end, Dictionary<TKey, TAcc> contents)
    {
        if (_windowsByEnd.TryAdd(end, contents))
        {
            return;
        }

        var existing = ContentsOf(end);
        foreach (var (key, accumulator) in contents)
        {
            existing[key] = accumulator;
        }
    }

    /// <summary>Removes and returns the earliest window if it ends at or before <paramref name="maxEnd"/>.</summary>
    public bool TryTakeFirst(long maxEnd, out long end, out Dictionary<TKey, TAcc> contents)
    {
        end = 0;
        contents = null!;
        if (_windowsByEnd.Count == 0)
        {
            return false;
        }

        end = _windowsByEnd.Keys.First();
        if (end > maxEnd)
        {
            return false;
        }

        contents = _windowsByEnd[end];
        _windowsByEnd.Remove(end);
        if (end == _cachedEnd)
        {
            _cachedEnd = long.MinValue;
            _cachedWindow = null;
        }

        return true;
    }

    public void Snapshot(KeyGroupSectionWriter writer)
    {
        foreach (var (end, contents) in _windowsByEnd)
        {
            foreach (var (key, accumulator) in contents)
            {
                var entry = writer.BeginEntry(_keyGroupOf(key));
                entry.WriteVarInt64(end);
                _keyCodec.Write(entry, key);
                _accumulatorCodec.Write(entry, accumulator);
            }
        }
    }

    public void Restore(ref PayloadReader reader, int entries)
    {
        for (int i = 0; i < entries; i++)
        {
            long end = reader.ReadVarInt64();
            var key = _keyCodec.Read(ref reader);
            ContentsOf(end)[key] = _accumulatorCodec.Read(ref reader);
        }
    }

    public void Extract(KeyGroupSectionWriter writer, Func<int, bool> keyGroups)
    {
        List<long>? emptied = null;
        foreach (var (end, contents) in _windowsByEnd)
        {
            List<TKey>? moving = null;
            foreach (var (key, accumulator) in contents)
            {
                int keyGroup = _keyGroupOf(key);
                if (keyGroups(keyGroup))
                {
                    var entry = writer.BeginEntry(keyGroup);
                    entry.WriteVarInt64(end);
                    _keyCodec.Write(entry, key);
                    _accumulatorCodec.Write(entry, accumulator);
                    (moving ??= new()).Add(key);
                }
            }

            foreach (var key in moving ?? Enumerable.Empty<TKey>())
            {
                contents.Remove(key);
            }

            if (contents.Count == 0)
            {
                (emptied ??= new()).Add(end);
            }
        }

        // A window with no key left would fire empty: it goes with its last key.
        foreach (var end in emptied ?? Enumerable.Empty<long>())
        {
            _windowsByEnd.Remove(end);
            if (end == _cachedEnd)
            {
                _cachedEnd = long.MinValue;
                _cachedWindow = null;
            }
        }
    }

    private Dictionary<TKey, TAcc> ContentsOf(long end)
    {
        if (end == _cachedEnd)
        {
            return _cachedWindow!;
        }

        if (!_windowsByEnd.TryGetValue(end, out var contents))
        {
            contents = new Dictionary<TKey, TAcc>();
            _windowsByEnd.Add(end, contents);
        }

        _cachedEnd = end;
        _cachedWindow = contents;
        return contents;
    }
}
