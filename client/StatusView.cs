using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Cli;

/// <summary>Shows a job's status once, or again and again in place for <c>status --watch</c>.</summary>
internal sealed class StatusView(bool json)
{
    private bool _shown;

    public void Show(JobStatus status, bool redraw)
    {
        if (redraw && _shown)
        {
            if (Console.IsOutputRedirected)
            {
                // A log of refreshes: each one after a blank line.
                Console.WriteLine();
            }
            else
            {
                // Cursor home, then erase to the end of the screen.
                Console.Write("\x1b[H\x1b[J");
            }
        }
        else if (redraw && !Console.IsOutputRedirected)
        {
            Console.Write("\x1b[H\x1b[J");
        }

        if (json)
        {
            JsonOutput.Write(Console.Out, status);
        }
        else
        {
            JobStatusWriter.WriteText(Console.Out, status);
        }

        _shown = true;
    }
}
