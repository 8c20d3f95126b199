namespace OrleansStream.Time;

/// <summary>
/// Combines the watermarks of a task's input channels: the task's watermark is the minimum over the
/// channels that are active. Ended channels count as the end of time; idle channels are left out
/// until they become active again.
/// </summary>
public sealed class WatermarkTracker
{
    private long[] _watermarks;
    private bool[] _idle;
    private long _combined = Watermark.Initial;

    public WatermarkTracker(int channelCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channelCount, 1);
        _watermarks = new long[channelCount];
        _idle = new bool[channelCount];
        Array.Fill(_watermarks, Watermark.Initial);
    }

    public int ChannelCount => _watermarks.Length;

    /// <summary>The combined watermark last reported by an update.</summary>
    public long Current => _combined;

    /// <summary>True when every channel is idle: downstream should be told this task is idle.</summary>
    public bool AllIdle => Array.TrueForAll(_idle, idle => idle);

    /// <summary>
    /// Adds <paramref name="count"/> channels (an upstream vertex scaled up while the job runs), with no watermark yet:
    /// the combined watermark stays where it is until they catch up.
    /// </summary>
    public void AddChannels(int count)
    {
        int old = _watermarks.Length;
        Array.Resize(ref _watermarks, old + count);
        Array.Resize(ref _idle, old + count);
        Array.Fill(_watermarks, Watermark.Initial, old, count);
    }

    /// <summary>The watermark channel <paramref name="channel"/> last sent.</summary>
    public long WatermarkOf(int channel) => _watermarks[channel];

    /// <summary>Whether channel <paramref name="channel"/> said it is idle.</summary>
    public bool IsIdle(int channel) => _idle[channel];

    /// <summary>Sets a channel to where it stood in a previous activation of the task; <see cref="Recompute()"/> once all are set.</summary>
    public void Restore(int channel, long watermark, bool idle)
    {
        _watermarks[channel] = watermark;
        _idle[channel] = idle;
    }

    /// <summary>Combines the channels' watermarks after <see cref="Restore"/>.</summary>
    public void Recompute() => Recompute(out _);

    /// <summary>Records a channel's watermark; true when the combined watermark advanced.</summary>
    public bool Update(int channel, long watermark, out long combined)
    {
        _idle[channel] = false;
        if (watermark > _watermarks[channel])
        {
            _watermarks[channel] = watermark;
        }

        return Recompute(out combined);
    }

    public bool MarkEnded(int channel, out long combined) => Update(channel, Watermark.EndOfTime, out combined);

    public bool MarkIdle(int channel, out long combined)
    {
        _idle[channel] = true;
        return Recompute(out combined);
    }

    public bool MarkActive(int channel, out long combined)
    {
        _idle[channel] = false;
        return Recompute(out combined);
    }

    private bool Recompute(out long combined)
    {
        long min = long.MaxValue;
        bool anyActive = false;
        for (int i = 0; i < _watermarks.Length; i++)
        {
            if (!_idle[i])
            {
                anyActive = true;
                min = Math.Min(min, _watermarks[i]);
            }
        }

        // The end of time needs every channel ended: an idle channel may still send.
        if (min == Watermark.EndOfTime && Array.Exists(_watermarks, w => w != Watermark.EndOfTime))
        {
            combined = _combined;
            return false;
        }

        // Watermarks never go backwards: a channel that wakes up behind the others holds the
        // combined watermark where it is until it catches up.
        if (anyActive && min > _combined)
        {
            _combined = min;
            combined = min;
            return true;
        }

        combined = _combined;
        return false;
    }
}
