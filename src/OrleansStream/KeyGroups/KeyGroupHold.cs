namespace OrleansStream.KeyGroups;

/// <summary>
/// The key groups whose records a subtask holds back (live rescaling): the key groups it takes over whose
/// state, or whose old owner's watermark, has not arrived yet. Shared by the subtask's input decoders, each of
/// which keeps the held records of its own input, in arrival order, until the key group is released.
/// </summary>
public sealed class KeyGroupHold(int maxParallelism)
{
    private readonly bool[] _held = new bool[maxParallelism];
    private readonly int[] _records = new int[maxParallelism];

    public int MaxParallelism => maxParallelism;

    /// <summary>How many key groups are held.</summary>
    public int Count { get; private set; }

    /// <summary>A decoder held records of <paramref name="keyGroup"/> back, or (negative) let them go.</summary>
    public void CountHeld(int keyGroup, int records) => _records[keyGroup] += records;

    /// <summary>How many records of <paramref name="keyGroup"/> the decoders hold back now.</summary>
    public int HeldRecordsOf(int keyGroup) => _records[keyGroup];

    public bool IsHeld(int keyGroup) => _held[keyGroup];

    public void Hold(int keyGroup)
    {
        if (!_held[keyGroup])
        {
            _held[keyGroup] = true;
            Count++;
        }
    }

    /// <summary>Stops holding <paramref name="keyGroup"/>; the decoders replay what they held of it.</summary>
    public void Release(int keyGroup)
    {
        if (_held[keyGroup])
        {
            _held[keyGroup] = false;
            Count--;
        }
    }
}

/// <summary>An input decoder, which on a hash-partitioned input can hold back the records of key groups in a <see cref="KeyGroupHold"/>.</summary>
public interface IKeyGroupHoldingDecoder
{
    /// <summary>False for an input not partitioned by key (a broadcast input of a keyed vertex): its records are never held.</summary>
    bool IsKeyed { get; }

    /// <summary>From now on, records of the key groups <paramref name="hold"/> holds wait in this decoder.</summary>
    void HoldBy(KeyGroupHold hold);

    /// <summary>Passes the records held of <paramref name="keyGroup"/> on, in the order they arrived; returns how many.</summary>
    int Release(int keyGroup);
}
