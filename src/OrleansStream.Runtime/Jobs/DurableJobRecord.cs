using Orleans.Storage;
using OrleansStream.Contracts.Jobs;
using OrleansStream.Runtime.Checkpoints;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// A job grain's record in checkpoint storage (it keeps the storage ETag between writes) and the job's
/// summary in the cluster's job list, which every write brings up to date.
/// </summary>
internal sealed class DurableJobRecord(string jobId, SnapshotStore storage, IGrainFactory grains)
{
    private readonly GrainState<JobRecord> _stored = new();

    // One write at a time: a rescale running beside the grain's calls writes too, and two writes with the same ETag would conflict.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private JobSummary? _announced;

    // The revisions of the writes that failed since the last one known stored: any of them may be in the database
    // (the connection broke at COMMIT), under an ETag this grain does not know.
    private (long First, long Last)? _uncertain;

    /// <summary>The job's record, or null before it is submitted (a storage read of a missing record may still fill in a default object).</summary>
    public JobRecord? Current => _stored.RecordExists ? _stored.State : null;

    public JobRecord Value => Current ?? throw new InvalidOperationException($"Job '{jobId}' was never submitted.");

    /// <summary>Reads the record, and tells the job list about it: the previous activation may have died between writing and telling.</summary>
    public async Task ReadAsync(CancellationToken cancellationToken)
    {
        await storage.ReadJobAsync(jobId, _stored, cancellationToken);
        if (Current is not null)
        {
            Announce(force: true).Ignore();
        }
    }

    /// <summary>Takes the record of a newly submitted job; <see cref="WriteAsync"/> stores it.</summary>
    public void Create(JobRecord record)
    {
        _stored.RecordExists = true;
        _stored.State = record;
    }

    public async Task WriteAsync()
    {
        await _writing.WaitAsync();
        try
        {
            Value.Revision++;
            bool conflict;
            try
            {
                await storage.WriteJobAsync(jobId, _stored, CancellationToken.None);
                _uncertain = null;
                conflict = false;
            }
            catch (InconsistentStateException)
            {
                conflict = true;
            }
            catch
            {
                // Lost on the way (the database restarted at COMMIT, say): it may have been stored. The next write finds out.
                _uncertain = (_uncertain?.First ?? Value.Revision, Value.Revision);
                throw;
            }

            if (conflict)
            {
                if (await EarlierWriteLandedAsync() is { } other)
                {
                    throw new InconsistentStateException($"Job '{jobId}': its record was changed by another writer (a second activation of the job grain?): {other}.");
                }

                // That write is in the database with an ETag this grain never learnt: with it, this write goes through.
                await storage.WriteJobAsync(jobId, _stored, CancellationToken.None);
                _uncertain = null;
            }
        }
        finally
        {
            _writing.Release();
        }

        // A new job is in the list before its submit returns, so that the next submit counts the slots it holds.
        bool first = _announced is null;
        var told = Announce(force: false);
        if (first)
        {
            await told;
        }
        else
        {
            told.Ignore();
        }
    }

    /// <summary>
    /// Whether the stored record is one of this grain's own writes that failed on their way back (<see cref="_uncertain"/>);
    /// its ETag is then taken. Any other stored revision is another writer's: the conflict is real.
    /// </summary>
    /// <returns>Null when it did; otherwise what is stored, for the error.</returns>
    private async Task<string?> EarlierWriteLandedAsync()
    {
        var stored = new GrainState<JobRecord>();
        await storage.ReadJobAsync(jobId, stored, CancellationToken.None);
        long? revision = stored.RecordExists ? stored.State?.Revision : null;
        if (_uncertain is not { } uncertain || revision is not { } landed || landed < uncertain.First || landed > uncertain.Last)
        {
            return $"stored revision {revision?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} (ETag {stored.ETag}), this grain's {Value.Revision - 1} (ETag {_stored.ETag})"
                + (_uncertain is { } u ? $", unsure of {u.First}-{u.Last}" : string.Empty);
        }

        _stored.ETag = stored.ETag;
        _uncertain = null;
        return null;
    }

    /// <summary>Tells the job list what changed (most writes are checkpoints, which it does not show), or everything with <paramref name="force"/>.</summary>
    private Task Announce(bool force)
    {
        var record = Value;
        var summary = new JobSummary(jobId, record.JobName, record.Submission.Definition, record.State, record.StartedAt ?? DateTimeOffset.UtcNow, record.EndedAt,
            record.Slots, record.Revision, record.Submission.Owner);
        if (force || _announced is null || summary with { Revision = _announced.Revision } != _announced)
        {
            _announced = summary;
            return grains.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key).UpdateAsync(summary);
        }

        return Task.CompletedTask;
    }
}
