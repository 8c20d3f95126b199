using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace OrleansStream.Contracts.Security;

/// <summary>
/// The certificate authority a cluster trusts: a certificate is a silo's or a client's when it chains to one of these
/// roots, whatever the machine's own trust store says. Names are not checked: silos reach each other by address, and
/// the authority signs only the cluster's own certificates.
/// </summary>
public sealed class CertificateAuthority
{
    private readonly X509Certificate2Collection _roots;

    private CertificateAuthority(X509Certificate2Collection roots) => _roots = roots;

    /// <summary>The roots in a PEM file of one or more certificates.</summary>
    /// <exception cref="InvalidOperationException">The file holds no certificate; the message names it.</exception>
    public static CertificateAuthority Load(string pemPath)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(pemPath);
        return roots.Count > 0 ? new CertificateAuthority(roots) : throw new InvalidOperationException($"'{pemPath}' holds no PEM certificate.");
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of the roots (the callback of a TLS handshake).</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // Intermediates the peer sent along.
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
        }

        return custom.Build(certificate);
    }
}
