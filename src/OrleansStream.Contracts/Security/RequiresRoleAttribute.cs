namespace OrleansStream.Contracts.Security;

/// <summary>
/// Marks a grain method clients may call, and the role it takes. On a cluster that checks callers, a client's call
/// to a method of this solution's grains without this attribute is refused: the others are the silos' own.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class RequiresRoleAttribute(ClusterRoles role) : Attribute
{
    public ClusterRoles Role { get; } = role;
}
