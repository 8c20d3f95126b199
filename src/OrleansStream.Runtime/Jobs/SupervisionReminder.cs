using Microsoft.Extensions.Logging;

namespace OrleansStream.Runtime.Jobs;

/// <summary>
/// The reminder that keeps a running job supervised: if the job grain's silo dies, the reminder reactivates
/// the grain on another silo, which resumes the job. Nothing is done when it fires: being activated is the point.
/// </summary>
internal sealed class SupervisionReminder(Grain grain, TimeSpan period, ILogger logger)
{
    private const string Name = "supervise";

    public async Task RegisterAsync()
    {
        try
        {
            await grain.RegisterOrUpdateReminder(Name, period, period);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Job {JobId}: no reminder could be registered ({Error}); if the job grain's silo dies, the job resumes only when one of its tasks calls it",
                grain.GetPrimaryKeyString(), ex.GetBaseException().Message);
        }
    }

    public async Task UnregisterAsync()
    {
        try
        {
            if (await grain.GetReminder(Name) is { } reminder)
            {
                await grain.UnregisterReminder(reminder);
            }
        }
        catch (Exception ex)
        {
            logger.LogDebug("Job {JobId}: reminder not unregistered: {Error}", grain.GetPrimaryKeyString(), ex.GetBaseException().Message);
        }
    }
}
