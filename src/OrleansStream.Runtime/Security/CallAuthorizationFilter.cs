using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using OrleansStream.Contracts.Security;

namespace OrleansStream.Runtime.Security;

/// <summary>
/// Checks every call a client makes, on a cluster with principals (<see cref="SecurityOptions"/>): the method must be
/// one clients may call (<see cref="RequiresRoleAttribute"/>), the request context must carry the token of a principal,
/// and the principal must have the method's role. The grain method learns who asked from <see cref="Caller"/>; whether
/// a job belongs to the caller is the job grain's to check. Calls from grains, and from the silos' own hosted clients,
/// pass: they are the cluster's.
/// </summary>
internal sealed class CallAuthorizationFilter(PrincipalDirectory principals) : IIncomingGrainCallFilter
{
    // Orleans' management grain is how clients list the silos: its read methods are open to readers, the rest to nobody.
    private static readonly FrozenSet<string> ManagementReads = new[] { nameof(IManagementGrain.GetHosts), nameof(IManagementGrain.GetDetailedHosts) }.ToFrozenSet(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<MethodInfo, ClusterRoles?> _roles = new();

    // The cluster's own calls (the data path's among them) go straight on; only a client's pays for an async frame.
    public Task Invoke(IIncomingGrainCallContext context)
        => Check(context) is { } caller ? InvokeAsAsync(caller, context) : context.Invoke();

    private static async Task InvokeAsAsync(CheckedCaller caller, IIncomingGrainCallContext context)
    {
        // Set in this async method, the caller is the invoked grain method's and goes when it returns.
        Caller.Set(caller);
        await context.Invoke();
    }

    /// <summary>The checked principal of a client's call; null for the cluster's own calls and Orleans' own interfaces.</summary>
    private CheckedCaller? Check(IIncomingGrainCallContext context)
    {
        if (context.SourceId is not { } source || !source.IsClient() || source.Key.AsSpan().StartsWith("hosted-"u8))
        {
            return null;
        }

        // The token goes no further than this silo: the request context flows on into the calls the grain makes.
        var token = RequestContext.Get(Caller.TokenKey) as string;
        RequestContext.Remove(Caller.TokenKey);
        if (RoleOf(context.InterfaceMethod) is not { } role)
        {
            // Orleans' own interfaces (the cluster manifest, stream pub-sub) serve every client; ours only what is marked.
            return IsOurs(context.InterfaceMethod)
                ? throw Denied($"'{context.InterfaceMethod.DeclaringType?.Name}.{context.InterfaceMethod.Name}' is not a client operation")
                : null;
        }

        if (string.IsNullOrEmpty(token))
        {
            throw Denied("this cluster needs a token (--token, or ORLEANSSTREAM_TOKEN)");
        }

        if (!principals.TryFind(token, out string name, out var roles))
        {
            throw Denied("the token is not one of this cluster's");
        }

        return (roles & role) == role
            ? new CheckedCaller(name, roles)
            : throw Denied($"'{name}' may not {Describe(role)} (its roles: {ClusterRoleNames.Format(roles)})");
    }

    private ClusterRoles? RoleOf(MethodInfo method) => _roles.GetOrAdd(method, static m =>
        m.GetCustomAttribute<RequiresRoleAttribute>()?.Role
        ?? (m.DeclaringType == typeof(IManagementGrain) && ManagementReads.Contains(m.Name) ? ClusterRoles.Read : null));

    private static bool IsOurs(MethodInfo method)
        => method.DeclaringType == typeof(IManagementGrain) || method.DeclaringType?.Namespace?.StartsWith("OrleansStream.", StringComparison.Ordinal) == true;

    private static string Describe(ClusterRoles role) => role switch
    {
        ClusterRoles.Read => "read jobs",
        ClusterRoles.Submit => "submit jobs",
        ClusterRoles.Upload => "upload job code",
        ClusterRoles.Operate => "operate jobs",
        _ => $"do what '{ClusterRoleNames.Format(role)}' allows",
    };

    private static AccessDeniedException Denied(string reason) => new($"Access denied: {reason}.");
}
