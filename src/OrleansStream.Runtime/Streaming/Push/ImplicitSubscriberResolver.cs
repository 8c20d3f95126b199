using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Streams;

namespace OrleansStream.Runtime.Streaming.Push;

/// <summary>
/// Finds the grain that consumes a stream from the standard <c>[ImplicitStreamSubscription]</c>
/// attributes: the namespace picks the grain type, the stream key names the grain. This is the
/// routing every Orleans stream provider uses, so a consumer grain works with any of them.
/// </summary>
internal sealed class ImplicitSubscriberResolver
{
    private readonly GrainBindingsResolver _bindings;
    private readonly IStreamNamespacePredicateProvider[] _predicateProviders;
    private readonly IServiceProvider _services;
    private readonly ConcurrentDictionary<string, (GrainBindings Binding, IStreamIdMapper Mapper)> _byNamespace = new();

    public ImplicitSubscriberResolver(GrainBindingsResolver bindings, IServiceProvider services)
    {
        _bindings = bindings;
        _services = services;
        _predicateProviders = services.GetServices<IStreamNamespacePredicateProvider>()
            .Append(new DefaultStreamNamespacePredicateProvider())
            .ToArray();
    }

    public GrainId Resolve(StreamId streamId)
    {
        var ns = streamId.GetNamespace()
            ?? throw new ArgumentException($"Stream {streamId} has no namespace; push streams route by namespace.", nameof(streamId));
        var (binding, mapper) = _byNamespace.GetOrAdd(ns, FindSubscriber);
        return GrainId.Create(binding.GrainType, mapper.GetGrainKeyId(binding, streamId));
    }

    private (GrainBindings, IStreamIdMapper) FindSubscriber(string ns)
    {
        var matches = new List<(GrainBindings, IStreamIdMapper)>();
        foreach (var binding in _bindings.GetAllBindings().Bindings.Values)
        {
            foreach (var properties in binding.Bindings)
            {
                if (!properties.TryGetValue(WellKnownGrainTypeProperties.BindingTypeKey, out var type)
                    || type != WellKnownGrainTypeProperties.StreamBindingTypeValue
                    || !properties.TryGetValue(WellKnownGrainTypeProperties.StreamBindingPatternKey, out var pattern)
                    || !Matches(pattern, ns))
                {
                    continue;
                }

                properties.TryGetValue(WellKnownGrainTypeProperties.StreamIdMapperKey, out var mapperName);
                var mapper = _services.GetKeyedService<IStreamIdMapper>(string.IsNullOrWhiteSpace(mapperName) ? DefaultStreamIdMapper.Name : mapperName)
                    ?? new DefaultStreamIdMapper();
                matches.Add((binding, mapper));
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new InvalidOperationException($"No grain has [ImplicitStreamSubscription] for stream namespace '{ns}'; a push stream needs exactly one consumer grain type."),
            _ => throw new InvalidOperationException($"{matches.Count} grain types subscribe implicitly to stream namespace '{ns}'; a push stream needs exactly one."),
        };
    }

    private bool Matches(string pattern, string ns)
    {
        foreach (var provider in _predicateProviders)
        {
            if (provider.TryGetPredicate(pattern, out var predicate))
            {
                return predicate.IsMatch(ns);
            }
        }

        return false;
    }
}
