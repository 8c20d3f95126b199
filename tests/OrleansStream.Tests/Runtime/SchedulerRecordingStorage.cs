using System.Collections.Concurrent;
using Orleans.Storage;

namespace OrleansStream.Tests.Runtime;

/// <summary>
/// Grain storage in a dictionary that notes, for every keyed state chunk written, whether the write
/// ran on a grain's scheduler. A storage client whose I/O is synchronous (Microsoft.Data.Sqlite) holds
/// whichever scheduler calls it for the whole write.
/// </summary>
public sealed class SchedulerRecordingStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (string ETag, object? Value)> _rows = new();

    /// <summary>For each chunk written: true when it was written on a grain's scheduler rather than the thread pool.</summary>
    public ConcurrentQueue<bool> ChunkWritesOnGrainScheduler { get; } = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = (T)row.Value!;
            grainState.ETag = row.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName == "chunk")
        {
            ChunkWritesOnGrainScheduler.Enqueue(TaskScheduler.Current != TaskScheduler.Default);
        }

        var etag = Guid.NewGuid().ToString("N");
        _rows[(stateName, grainId)] = (etag, grainState.State);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _rows.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
