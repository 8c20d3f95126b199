using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using OrleansStream.Runtime.Channels.Streams;

namespace OrleansStream.Runtime.Channels;

/// <summary>
/// Finds a channel transport by name: one registered as such (the push transport), else an Orleans
/// stream provider of that name carrying the channels.
/// </summary>
internal sealed class ChannelTransports(IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, IChannelTransport> _byName = new(StringComparer.Ordinal);

    public IChannelTransport Get(string name) => _byName.GetOrAdd(name, Create);

    private IChannelTransport Create(string name)
        => services.GetKeyedService<IChannelTransport>(name)
           ?? (services.GetKeyedService<IStreamProvider>(name) is { } streams
               ? new StreamChannelTransport(streams)
               : throw new OrleansConfigurationException($"OrleansStream: no channel transport or stream provider is named '{name}'; register it on the silo, or use the default '{Push.PushChannelTransport.Name}'."));
}
