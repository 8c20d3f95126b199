using System.Reflection;
using System.Reflection.Metadata;
using System.Text.Json;

namespace OrleansStream.Runtime.Jobs.Artifacts;

/// <summary>
/// Caches of the framework that keep an unloaded job's types, and so its load context, alive.
/// System.Text.Json keeps the accessors it emits for a type's members in a process-wide cache
/// whose entries expire only when a later serialization sweeps it: after a job ends, nothing may
/// serialize for a long while. Its Hot Reload handler empties that cache (and, under Hot Reload,
/// the metadata caches of every options instance); it is the only hook the library offers.
/// </summary>
internal static class JobCodeCaches
{
    private static readonly Action? ClearJsonCaches = FindClearCache(typeof(JsonSerializer).Assembly);

    /// <summary>Whether the hook was found in this runtime's System.Text.Json (a test checks it, so that an update that drops it is noticed).</summary>
    public static bool CanClearJsonCaches => ClearJsonCaches is not null;

    /// <summary>Empties the caches; they fill again on the next serialization of each type, at a small cost to the jobs that go on.</summary>
    public static void Clear() => ClearJsonCaches?.Invoke();

    private static Action? FindClearCache(Assembly assembly)
    {
        var clears = assembly.GetCustomAttributes<MetadataUpdateHandlerAttribute>()
            .Select(handler => handler.HandlerType.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]))
            .OfType<MethodInfo>()
            .ToList();
        return clears.Count == 0 ? null : () => clears.ForEach(clear => clear.Invoke(null, [null]));
    }
}
