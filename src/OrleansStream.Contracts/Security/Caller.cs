namespace OrleansStream.Contracts.Security;

/// <summary>
/// Who made the client call being served, as the cluster checked it. A client sends its token in the request context;
/// the silo that receives the call checks it and records the principal here for that call only. The calls the grain
/// makes from it, and all calls the silos make themselves, are the cluster's own and carry no principal: a job's
/// owner is checked where a client reaches the cluster, not again inside it.
/// </summary>
public static class Caller
{
    /// <summary>The request context key of the token a client sends.</summary>
    public const string TokenKey = "orleansstream-token";

    // Not the request context, which flows on into every call the grain makes.
    private static readonly AsyncLocal<CheckedCaller?> Current = new();

    /// <summary>The principal of a checked client call; null on a cluster that does not check callers, or for the cluster's own calls.</summary>
    public static string? Principal => Current.Value?.Principal;

    public static ClusterRoles Roles => Current.Value?.Roles ?? ClusterRoles.None;

    /// <summary>True when the call may act on a job of <paramref name="owner"/>: its own, an admin's call, or an unchecked one.</summary>
    public static bool CanSee(string? owner) => Current.Value is not { } caller || caller.Roles.HasFlag(ClusterRoles.Admin) || caller.Principal == owner;

    /// <summary>True when the call may do what <paramref name="role"/> allows: it has the role, or it is unchecked.</summary>
    public static bool Has(ClusterRoles role) => Current.Value is not { } caller || (caller.Roles & role) == role;

    /// <summary>
    /// Records the checked caller for the rest of the calling async method: the silo's call filter does this around a
    /// client's call, and the value goes when the filter returns.
    /// </summary>
    public static void Set(CheckedCaller caller) => Current.Value = caller;
}

/// <summary>A principal whose token a silo checked, with its roles.</summary>
public sealed record CheckedCaller(string Principal, ClusterRoles Roles);
