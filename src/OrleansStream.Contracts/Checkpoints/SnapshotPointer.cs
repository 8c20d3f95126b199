namespace OrleansStream.Contracts.Checkpoints;

/// <summary>The text form of a reference to a completed checkpoint or savepoint: <c>{job id}/{checkpoint id}</c>.</summary>
public static class SnapshotPointer
{
    public static string Format(string jobId, long checkpointId) => $"{jobId}/{checkpointId}";

    public static (string JobId, long CheckpointId) Parse(string pointer)
    {
        int slash = pointer.LastIndexOf('/');
        if (slash <= 0 || !long.TryParse(pointer.AsSpan(slash + 1), out long id) || id < 1)
        {
            throw new FormatException($"'{pointer}' is not a savepoint or checkpoint reference; expected '<job id>/<checkpoint id>', e.g. 'ip-count-3f2a/7'.");
        }

        return (pointer[..slash], id);
    }
}
