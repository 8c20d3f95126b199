using System.Diagnostics;

namespace OrleansStream.Cli;

/// <summary>
/// A line on standard error that shows a long wait is alive (what it waits for and for how long),
/// redrawn in place. Only on a terminal: redirected, it writes nothing, so logs stay clean.
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly Timer? _timer;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private string _message;
    private bool _cleared;

    private ProgressLine(string message, bool enabled)
    {
        _message = message;
        _cleared = !enabled;
        _timer = enabled ? new Timer(_ => Draw(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250)) : null;
    }

    public static ProgressLine Start(string message) => new(message, enabled: !Console.IsErrorRedirected);

    public void Update(string message)
    {
        lock (_lock)
        {
            _message = message;
        }
    }

    /// <summary>Erases the line so that the result is printed on a clean one.</summary>
    public void Clear()
    {
        _timer?.Dispose();
        lock (_lock)
        {
            if (!_cleared)
            {
                _cleared = true;
                Console.Error.Write("\r\x1b[2K");
            }
        }
    }

    public void Dispose() => Clear();

    private void Draw()
    {
        lock (_lock)
        {
            if (!_cleared)
            {
                Console.Error.Write($"\r\x1b[2K{_message} ({_elapsed.Elapsed.TotalSeconds:F0} s)");
            }
        }
    }
}
