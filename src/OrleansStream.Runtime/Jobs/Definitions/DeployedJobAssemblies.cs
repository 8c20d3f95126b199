using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Options;
using OrleansStream.Runtime.Hosting;

namespace OrleansStream.Runtime.Jobs.Definitions;

/// <summary>
/// Job assemblies deployed with the silos by configuration (<see cref="OrleansStreamOptions.JobAssemblies"/>)
/// rather than referenced by the silo host: loaded once into the default context, so that their
/// OrleansStream and connector types are the silo's own, with their other dependencies found beside
/// them (their <c>.deps.json</c>). Job types named by assembly-qualified name resolve in these first.
/// </summary>
internal sealed class DeployedJobAssemblies
{
    private readonly Lazy<IReadOnlyDictionary<string, Assembly>> _byName;

    public DeployedJobAssemblies(IOptions<OrleansStreamOptions> options)
        => _byName = new(() => Load(options.Value.JobAssemblies), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The type named <paramref name="assemblyQualifiedName"/>, from a deployed job assembly or the silo's own; null when neither has it.</summary>
    public Type? FindType(string assemblyQualifiedName)
    {
        var deployed = _byName.Value;
        return Type.GetType(
            assemblyQualifiedName,
            name => name.Name is { } simple && deployed.TryGetValue(simple, out var assembly) ? assembly : LoadOrNull(name),
            typeResolver: null,
            throwOnError: false);
    }

    private static Assembly? LoadOrNull(AssemblyName name)
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(name);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }

    private static IReadOnlyDictionary<string, Assembly> Load(IEnumerable<string> paths)
    {
        var assemblies = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            var fullPath = Path.GetFullPath(path);
            var resolver = new AssemblyDependencyResolver(fullPath);
            AssemblyLoadContext.Default.Resolving += (context, name) =>
                resolver.ResolveAssemblyToPath(name) is { } dependency ? context.LoadFromAssemblyPath(dependency) : null;
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(fullPath);
            assemblies[assembly.GetName().Name!] = assembly;
        }

        return assemblies;
    }
}
