using OrleansStream.Api.Connectors;

namespace OrleansStream.Connectors.Files;

/// <summary>
/// Commits staged part files by renaming them to their visible names. A rename is atomic, so a part file is
/// either invisible or complete, and committing again finds the file already in place.
/// </summary>
internal sealed class PartFileCommitter : ISinkCommitter
{
    public static readonly PartFileCommitter Instance = new();

    public ValueTask CommitAsync(SinkCommittable committable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(committable);
        cancellationToken.ThrowIfCancellationRequested();
        var part = PartFileCommittable.Decode(committable);
        try
        {
            // The staged file is what the checkpoint refers to: a file already at the final name while it is
            // still staged can only be a stray copy, and the rename replaces it atomically.
            File.Move(part.InProgressPath, part.FinalPath, overwrite: true);
        }
        catch (IOException) when (!File.Exists(part.InProgressPath) && File.Exists(part.FinalPath))
        {
            // Committed before: by an earlier attempt, or concurrently by another subtask after rescaling.
        }
        catch (IOException ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IOException(
                $"Cannot commit checkpoint {committable.CheckpointId} of subtask {committable.Subtask} (attempt {committable.Attempt}): "
                + $"neither the in-progress file '{part.InProgressPath}' nor the committed file '{part.FinalPath}' exists.",
                ex);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
