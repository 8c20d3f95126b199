using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansStream.Runtime.Tasks;

namespace OrleansStream.Runtime.Channels.Push;

/// <summary>
/// The default channel transport: every envelope is pushed to the receiving task grain with one grain
/// call (no queues, no pulling agents, no cache), a bounded window of calls in flight per channel, and
/// resends after a transport failure. The receiver answers each call with how far it has processed the
/// channel, which is what the sender may forget.
/// </summary>
internal sealed class PushChannelTransport(IGrainFactory grains, IOptions<PushChannelOptions> options, ILogger<PushChannelTransport> logger) : IChannelTransport
{
    /// <summary>The transport's name, the default of <see cref="Hosting.OrleansStreamOptions.ChannelTransport"/>.</summary>
    public const string Name = "orleansstream";

    /// <summary>Orleans may run concurrent calls out of order, and resends repeat what may have arrived.</summary>
    public bool MayReorder => true;

    public IChannelSender Connect(TaskId sender, TaskId receiver)
        => new PushChannelSender(grains.GetGrain<ITaskGrain>(receiver.ToString()), receiver, options.Value, logger);
}
