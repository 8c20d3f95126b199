using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Metadata;
using Orleans.Streams;

namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>
/// An Orleans stream provider that pushes every item straight to the consuming grain with a grain
/// call (no queues, no pulling agents, no cache). Producers keep a bounded window of deliveries in
/// flight (backpressure), number them per stream, keep them until acknowledged and resend them
/// after a transport failure; consumers restore order and drop duplicates. The consuming grain is
/// found through <c>[ImplicitStreamSubscription]</c>: the stream key names the grain.
/// </summary>
public sealed class PushStreamProvider : IStreamProvider
{
    private readonly IServiceProvider _services;
    private readonly Lazy<ImplicitSubscriberResolver> _resolver;

    public PushStreamProvider(string name, PushStreamOptions options, IServiceProvider services)
    {
        options.Validate(name);
        Name = name;
        Options = options;
        _services = services;
        GrainFactory = services.GetRequiredService<IGrainFactory>();
        Logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<PushStreamProvider>();
        _resolver = new(() => new ImplicitSubscriberResolver(services.GetRequiredService<GrainBindingsResolver>(), services));
    }

    public string Name { get; }

    public bool IsRewindable => false;

    internal PushStreamOptions Options { get; }

    internal IGrainFactory GrainFactory { get; }

    internal ILogger Logger { get; }

    public IAsyncStream<T> GetStream<T>(StreamId streamId) => new PushStream<T>(this, streamId);

    internal IPushStreamConsumerExtension ResolveConsumer(StreamId streamId)
        => GrainFactory.GetGrain(_resolver.Value.Resolve(streamId)).AsReference<IPushStreamConsumerExtension>();

    /// <summary>The extension of the grain that is running now; subscribing is done from inside the consumer.</summary>
    internal PushStreamConsumerExtension CurrentConsumer(StreamId streamId)
    {
        var context = _services.GetRequiredService<IGrainContextAccessor>().GrainContext
            ?? throw new InvalidOperationException($"Subscribing to push stream {streamId} must happen inside the consuming grain.");
        var binder = context.GetComponent<IGrainExtensionBinder>()
            ?? throw new InvalidOperationException($"Grain {context.GrainId} cannot host grain extensions.");
        var (extension, _) = binder.GetOrSetExtension<PushStreamConsumerExtension, IPushStreamConsumerExtension>(() => new PushStreamConsumerExtension(context.GrainId));
        return extension;
    }
}
