using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using OrleansStream.Runtime.Channels;
using OrleansStream.Runtime.Channels.Push;
using OrleansStream.Runtime.Checkpoints;
using OrleansStream.Runtime.Jobs;
using OrleansStream.Runtime.Jobs.Artifacts;
using OrleansStream.Runtime.Jobs.Definitions;
using OrleansStream.Runtime.Placement;

namespace OrleansStream.Runtime.Hosting;

public static class OrleansStreamHostingExtensions
{
    /// <summary>
    /// Makes a silo an OrleansStream task manager: task-slot placement, the slot count, and the push
    /// channel transport named <see cref="OrleansStreamOptions.DefaultChannelTransport"/>.
    /// </summary>
    public static ISiloBuilder AddOrleansStream(this ISiloBuilder builder, Action<OrleansStreamOptions>? configure = null)
    {
        var services = builder.Services;
        var optionsBuilder = services.AddOptions<OrleansStreamOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.Validate(options =>
        {
            options.Validate();
            return true;
        }).ValidateOnStart();
        services.AddOptions<SlotOptions>()
            .Validate(options => options.Slots >= 1, $"{nameof(SlotOptions)}.{nameof(SlotOptions.Slots)} must be at least 1.")
            .ValidateOnStart();
        // A subtask moved while a silo drains must not be activated twice: Orleans' default directory is eventually
        // consistent, and when the drained silo leaves, an entry registered in its range while it left can be lost.
        // The distributed directory hands its ranges over under versioned locks (experimental in Orleans 10).
#pragma warning disable ORLEANSEXP003
        builder.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        services.AddPlacementDirector<TaskSlotPlacement, TaskSlotPlacementDirector>();
        services.AddSingleton<SnapshotStore>();
        services.AddSingleton<ClusterSlots>();
        services.AddSingleton<SiloDrain>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<SiloDrain>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, JobResumption>();
        services.AddSingleton<AttemptPlanner>();
        services.AddSingleton<Rescaling.RescalePlanner>();
        services.AddSingleton<JobArtifactStore>();
        services.AddSingleton(provider => new JobAssemblyLoader(provider.GetRequiredService<JobArtifactStore>(), provider.GetRequiredService<ILogger<JobAssemblyLoader>>()));
        services.AddSingleton<JobGraphFactory>();
        services.AddSingleton<DeployedJobAssemblies>();
        services.AddSingleton<IJobDefinitionResolver, DeployedJobResolver>();
        services.AddSingleton<IJobDefinitionResolver, UploadedJobResolver>();
        services.AddOptions<PushChannelOptions>().Validate(push =>
        {
            push.Validate();
            return true;
        }).ValidateOnStart();
        services.AddKeyedSingleton<IChannelTransport, PushChannelTransport>(PushChannelTransport.Name);
        services.AddSingleton<ChannelTransports>();
        return builder;
    }

    /// <summary>
    /// Adds Orleans' stock memory streams under <paramref name="name"/>, set up to carry task channels
    /// (implicit subscriptions only, a 10 ms pulling period). For comparison with the push provider:
    /// memory streams do not slow a fast producer, and lose data when a consumer falls far behind,
    /// which the channels' sequence numbers then report as an error.
    /// </summary>
    public static ISiloBuilder AddMemoryChannelStreams(this ISiloBuilder builder, string name = "memory")
        => builder.AddMemoryStreams(name, streams =>
        {
            streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            streams.ConfigurePullingAgent(agent => agent.Configure(options => options.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10)));
        });

    /// <summary>Sets how many task slots this silo offers.</summary>
    public static ISiloBuilder UseTaskSlots(this ISiloBuilder builder, int slots)
    {
        builder.Services.Configure<SlotOptions>(options => options.Slots = slots);
        return builder;
    }
}
