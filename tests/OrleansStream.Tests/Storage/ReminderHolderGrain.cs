namespace OrleansStream.Tests.Storage;

/// <summary>A grain that registers reminders on request and counts their ticks.</summary>
public interface IReminderHolderGrain : IGrainWithStringKey
{
    Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period);

    Task<string[]> ListAsync();

    Task UnregisterAsync(string name);

    Task<int> TicksAsync(string name);
}

public sealed class ReminderHolderGrain : Grain, IReminderHolderGrain, IRemindable
{
    private readonly Dictionary<string, int> _ticks = [];

    public Task RegisterAsync(string name, TimeSpan dueTime, TimeSpan period) => this.RegisterOrUpdateReminder(name, dueTime, period);

    public async Task<string[]> ListAsync() => (await this.GetReminders()).Select(reminder => reminder.ReminderName).Order().ToArray();

    public async Task UnregisterAsync(string name)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task<int> TicksAsync(string name) => Task.FromResult(_ticks.GetValueOrDefault(name));

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks[reminderName] = _ticks.GetValueOrDefault(reminderName) + 1;
        return Task.CompletedTask;
    }
}
