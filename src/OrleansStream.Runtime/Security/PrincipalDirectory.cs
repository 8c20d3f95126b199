using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using OrleansStream.Contracts.Security;

namespace OrleansStream.Runtime.Security;

/// <summary>The configured principals, found by the hash of the token a client sends.</summary>
internal sealed class PrincipalDirectory
{
    private readonly FrozenDictionary<string, (string Name, ClusterRoles Roles)> _byTokenHash;

    /// <exception cref="OrleansConfigurationException">A principal is configured wrong; the message names it and the setting.</exception>
    public PrincipalDirectory(SecurityOptions options)
    {
        var principals = new Dictionary<string, (string, ClusterRoles)>(StringComparer.Ordinal);
        foreach (var principal in options.Principals)
        {
            string where = $"OrleansStream:Security:Principals '{principal.Name}'";
            if (string.IsNullOrWhiteSpace(principal.Name))
            {
                throw new OrleansConfigurationException("OrleansStream:Security:Principals: every principal needs a Name.");
            }

            string hash = principal.TokenSha256.Trim().ToLowerInvariant();
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
            {
                throw new OrleansConfigurationException($"{where}: TokenSha256 must be the 64 hex digits of the token's SHA-256.");
            }

            ClusterRoles roles;
            try
            {
                roles = ClusterRoleNames.Parse(principal.Roles);
            }
            catch (FormatException ex)
            {
                throw new OrleansConfigurationException($"{where}: {ex.Message}");
            }

            if (!principals.TryAdd(hash, (principal.Name, roles)))
            {
                throw new OrleansConfigurationException($"{where}: another principal has the same token.");
            }
        }

        _byTokenHash = principals.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool IsEmpty => _byTokenHash.Count == 0;

    public bool TryFind(string token, out string name, out ClusterRoles roles)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        bool found = _byTokenHash.TryGetValue(hash, out var principal);
        (name, roles) = principal;
        return found;
    }
}
