using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansStream.Contracts.Checkpoints;
using OrleansStream.Runtime.Hosting;
using OrleansStream.Runtime.Storage;
using OrleansStream.State;

namespace OrleansStream.Runtime.Checkpoints;

/// <summary>
/// Checkpoint storage on an Orleans grain storage provider chosen by name (the ADO.NET provider on
/// PostgreSQL or SQLite, or memory in tests). Every keyed state chunk is its own record addressed by
/// (job, checkpoint, vertex, subtask, chunk), and every completed checkpoint's metadata is one record
/// addressed by (job, checkpoint), so that large state is many moderate rows and any job can start
/// from any retained snapshot.
/// </summary>
internal sealed class SnapshotStore(IServiceProvider services, IOptions<OrleansStreamOptions> options, ILogger<SnapshotStore> logger) : ICheckpointStorage, IChunkStorage
{
    private static readonly GrainType ChunkType = GrainType.Create("orleansstream.snapshot");
    private static readonly GrainType MetadataType = GrainType.Create("orleansstream.checkpoint");
    private static readonly GrainType JobType = GrainType.Create("orleansstream.job");
    private const string JobState = "job";
    private const string ChunkState = "chunk";
    private const string MetadataState = "metadata";

    private IGrainStorage? _storage;

    private IGrainStorage Storage => _storage ??= GrainStorageLookup.Find(services, options.Value.StorageProvider);

    public static string ChunkKey(string jobId, long checkpointId, int vertexId, int subtask, int chunk)
        => $"{jobId}/{checkpointId}/{vertexId}/{subtask}/{chunk}";

    public async Task<KeyedStateHandle> WriteChunkAsync(string storageKey, KeyedStateChunk chunk, CancellationToken cancellationToken)
    {
        var state = new GrainState<StoredChunk>(new StoredChunk { Data = chunk.Data });
        await Storage.WriteStateAsync(ChunkState, GrainId.Create(ChunkType, storageKey), state, cancellationToken);
        return new KeyedStateHandle(storageKey, state.ETag, chunk.KeyGroups.StartKeyGroup, chunk.KeyGroups.EndKeyGroup, chunk.Data.Length);
    }

    public async Task<byte[]> ReadChunkAsync(KeyedStateHandle handle, CancellationToken cancellationToken)
    {
        var state = new GrainState<StoredChunk>();
        await Storage.ReadStateAsync(ChunkState, GrainId.Create(ChunkType, handle.StorageKey), state, cancellationToken);
        return state.RecordExists && state.State is { } chunk
            ? chunk.Data
            : throw new InvalidOperationException($"Keyed state chunk '{handle.StorageKey}' is missing from checkpoint storage; the checkpoint it belongs to was deleted or never completed.");
    }

    public async Task WriteCheckpointAsync(CheckpointMetadata metadata, CancellationToken cancellationToken)
    {
        var id = MetadataId(metadata.JobId, metadata.CheckpointId);
        var state = new GrainState<CheckpointMetadata>();
        await Storage.ReadStateAsync(MetadataState, id, state, cancellationToken);
        state.State = metadata;
        await Storage.WriteStateAsync(MetadataState, id, state, cancellationToken);
    }

    /// <summary>The completed checkpoint or savepoint <paramref name="pointer"/> (<c>{job}/{id}</c>) refers to, or null.</summary>
    public Task<CheckpointMetadata?> ReadCheckpointAsync(string pointer)
    {
        var (jobId, id) = SnapshotPointer.Parse(pointer);
        return ReadCheckpointAsync(jobId, id, CancellationToken.None);
    }

    public async Task<CheckpointMetadata?> ReadCheckpointAsync(string jobId, long checkpointId, CancellationToken cancellationToken)
    {
        var state = new GrainState<CheckpointMetadata>();
        await Storage.ReadStateAsync(MetadataState, MetadataId(jobId, checkpointId), state, cancellationToken);
        return state.RecordExists ? state.State : null;
    }

    /// <summary>Deletes a checkpoint's chunks and then its metadata, so that a crash half-way leaves metadata that still lists what remains.</summary>
    public async Task DeleteCheckpointAsync(CheckpointMetadata metadata, CancellationToken cancellationToken)
    {
        await DeleteChunksAsync(metadata.Tasks.SelectMany(t => t.KeyedState), cancellationToken);
        var id = MetadataId(metadata.JobId, metadata.CheckpointId);
        var state = new GrainState<CheckpointMetadata>();
        await Storage.ReadStateAsync(MetadataState, id, state, cancellationToken);
        if (state.RecordExists)
        {
            await Storage.ClearStateAsync(MetadataState, id, state, cancellationToken);
        }
    }

    public void Discard(IEnumerable<KeyedStateHandle> chunks)
    {
        var list = chunks.ToList();
        if (list.Count > 0)
        {
            _ = DiscardAsync();
        }

        async Task DiscardAsync()
        {
            try
            {
                await DeleteChunksAsync(list, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not delete {Count} state chunks of an abandoned snapshot, starting with {Chunk}", list.Count, list[0].StorageKey);
            }
        }
    }

    public async Task DeleteChunksAsync(IEnumerable<KeyedStateHandle> chunks, CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks)
        {
            var state = new GrainState<StoredChunk> { ETag = chunk.ETag, RecordExists = true };
            await Storage.ClearStateAsync(ChunkState, GrainId.Create(ChunkType, chunk.StorageKey), state, cancellationToken);
        }
    }

    /// <summary>Reads a job's record into <paramref name="state"/>, which keeps the ETag for the next write.</summary>
    public Task ReadJobAsync(string jobId, GrainState<Jobs.JobRecord> state, CancellationToken cancellationToken)
        => Storage.ReadStateAsync(JobState, GrainId.Create(JobType, jobId), state, cancellationToken);

    public Task WriteJobAsync(string jobId, GrainState<Jobs.JobRecord> state, CancellationToken cancellationToken)
        => Storage.WriteStateAsync(JobState, GrainId.Create(JobType, jobId), state, cancellationToken);

    private static GrainId MetadataId(string jobId, long checkpointId) => GrainId.Create(MetadataType, SnapshotPointer.Format(jobId, checkpointId));
}
