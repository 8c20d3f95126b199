using OrleansStream.Client;
using OrleansStream.Contracts.Jobs;

using static System.FormattableString;

namespace OrleansStream.Cli;

/// <summary>Prints the job list and the cluster overview as tables for people.</summary>
internal static class OverviewWriter
{
    public static void WriteJobs(TextWriter writer, IReadOnlyList<JobSummary> jobs)
    {
        if (jobs.Count == 0)
        {
            writer.WriteLine("No jobs.");
            return;
        }

        int idWidth = Math.Max("JOB".Length, jobs.Max(j => j.JobId.Length));
        int stateWidth = Math.Max("STATE".Length, jobs.Max(j => j.State.ToString().Length));
        writer.WriteLine($"{"JOB".PadRight(idWidth)}  {"STATE".PadRight(stateWidth)}  {"SUBMITTED",-20}  {"ENDED",-20}  P  DEFINITION");
        foreach (var job in jobs)
        {
            writer.WriteLine(Invariant($"{job.JobId.PadRight(idWidth)}  {job.State.ToString().PadRight(stateWidth)}  {job.SubmittedAt,-20:u}  {(job.EndedAt is { } ended ? ended.ToString("u") : "-"),-20}  {job.Parallelism}  {job.Definition}"));
        }
    }

    public static void WriteCluster(TextWriter writer, ClusterOverview cluster)
    {
        int addressWidth = Math.Max("SILO".Length, cluster.Silos.Select(s => s.Address.Length).DefaultIfEmpty(0).Max());
        int nameWidth = Math.Max("NAME".Length, cluster.Silos.Select(s => s.Name.Length).DefaultIfEmpty(0).Max());
        writer.WriteLine($"{"SILO".PadRight(addressWidth)}  {"NAME".PadRight(nameWidth)}  {"STATUS",-8}  {"SLOTS",5}  {"IN USE",6}  {"FREE",5}  STARTED");
        foreach (var silo in cluster.Silos)
        {
            writer.WriteLine(Invariant($"{silo.Address.PadRight(addressWidth)}  {silo.Name.PadRight(nameWidth)}  {silo.Status,-8}  {(silo.Slots?.ToString() ?? "?"),5}  {silo.SlotsInUse,6}  {(silo.FreeSlots?.ToString() ?? "?"),5}  {silo.StartedAt:u}"));
        }

        writer.WriteLine(Invariant($"{cluster.Silos.Count} silos, {cluster.Slots} slots, {cluster.SlotsInUse} in use by {cluster.RunningJobs} running jobs"));
    }
}
