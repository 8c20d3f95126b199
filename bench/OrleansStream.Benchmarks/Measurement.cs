using System.Diagnostics;

namespace OrleansStream.Benchmarks;

/// <summary>What one benchmark run measured: wall time, process CPU time and allocation.</summary>
internal sealed record Measurement(string Name, long Records, TimeSpan Elapsed, TimeSpan CpuTime, long AllocatedBytes, TimeSpan GcPause, int Gen2Collections)
{
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    public double RecordsPerCpuSecond => Records / CpuTime.TotalSeconds;

    public double BytesPerRecord => (double)AllocatedBytes / Records;

    public static async Task<Measurement> TimeAsync(string name, long records, Func<Task> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var pause = GC.GetTotalPauseDuration();
        int gen2 = GC.CollectionCount(2);
        var stopwatch = Stopwatch.StartNew();
        await run();
        stopwatch.Stop();
        process.Refresh();
        return new Measurement(name, records, stopwatch.Elapsed, process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - allocated,
            GC.GetTotalPauseDuration() - pause, GC.CollectionCount(2) - gen2);
    }
}
