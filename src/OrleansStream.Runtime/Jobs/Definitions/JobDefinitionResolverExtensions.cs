using Microsoft.Extensions.DependencyInjection;

namespace OrleansStream.Runtime.Jobs.Definitions;

public static class JobDefinitionResolverExtensions
{
    /// <summary>Adds a kind of job definition to the silo: its resolver is asked after those registered before it.</summary>
    public static ISiloBuilder AddJobDefinitionResolver<TResolver>(this ISiloBuilder builder)
        where TResolver : class, IJobDefinitionResolver
    {
        builder.Services.AddSingleton<IJobDefinitionResolver, TResolver>();
        return builder;
    }
}
