using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;

namespace OrleansStream.Runtime.Streaming.Push;

public static class PushStreamHostingExtensions
{
    /// <summary>Adds a push stream provider named <paramref name="name"/> to a silo.</summary>
    public static ISiloBuilder AddPushStreams(this ISiloBuilder builder, string name, Action<PushStreamOptions>? configure = null)
    {
        builder.Services.AddPushStreams(name, configure);
        return builder;
    }

    /// <summary>Adds a push stream provider named <paramref name="name"/> to a client (producers only).</summary>
    public static IClientBuilder AddPushStreams(this IClientBuilder builder, string name, Action<PushStreamOptions>? configure = null)
    {
        builder.Services.AddPushStreams(name, configure);
        return builder;
    }

    private static void AddPushStreams(this IServiceCollection services, string name, Action<PushStreamOptions>? configure)
    {
        var options = new PushStreamOptions();
        configure?.Invoke(options);
        options.Validate(name);
        services.AddKeyedSingleton<IStreamProvider>(name, (sp, _) => new PushStreamProvider(name, options, sp));
    }
}
