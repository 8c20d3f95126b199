namespace OrleansStream.Api.Connectors;

/// <summary>Makes pre-committed transactions visible.</summary>
public interface ISinkCommitter : IAsyncDisposable
{
    /// <summary>
    /// Commits <paramref name="committable"/>. Idempotent: the same committable may be committed again after a
    /// failure (also by another subtask after rescaling), and committing it twice must leave one copy.
    /// </summary>
    ValueTask CommitAsync(SinkCommittable committable, CancellationToken cancellationToken);
}
