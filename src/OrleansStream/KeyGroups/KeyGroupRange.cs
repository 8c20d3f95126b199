namespace OrleansStream.KeyGroups;

/// <summary>
/// A contiguous, inclusive range of key groups owned by one subtask. Keyed state is organised by key
/// group so that a new parallelism re-splits whole key groups instead of individual keys.
/// </summary>
public readonly record struct KeyGroupRange(int StartKeyGroup, int EndKeyGroup)
{
    public static KeyGroupRange Empty { get; } = new(0, -1);

    public int Count => Math.Max(0, EndKeyGroup - StartKeyGroup + 1);

    public bool Contains(int keyGroup) => keyGroup >= StartKeyGroup && keyGroup <= EndKeyGroup;

    public override string ToString() => Count == 0 ? "[]" : $"[{StartKeyGroup}..{EndKeyGroup}]";
}
