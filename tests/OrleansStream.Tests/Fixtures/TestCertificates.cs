using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// A certificate authority made by the test, with a certificate for the silos and one for a client that it signed,
/// and a client certificate of another authority: PEM files in a directory, as an operator would mount them.
/// </summary>
internal sealed class TestCertificates
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public string Authority => Path.Combine(Directory, "ca.pem");

    public (string Certificate, string Key) Silo => Pair("silo");

    public (string Certificate, string Key) Client => Pair("client");

    /// <summary>A client certificate another authority signed: the cluster must not take it.</summary>
    public (string Certificate, string Key) Stranger => Pair("stranger");

    public static TestCertificates Create(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var certificates = new TestCertificates(directory);
        using var authority = CreateAuthority("OrleansStream test authority");
        using var other = CreateAuthority("Another authority");
        File.WriteAllText(certificates.Authority, authority.ExportCertificatePem());
        certificates.Write("silo", Issue(authority, "silo"));
        certificates.Write("client", Issue(authority, "client"));
        certificates.Write("stranger", Issue(other, "stranger"));
        return certificates;
    }

    private (string, string) Pair(string name) => (Path.Combine(Directory, name + ".pem"), Path.Combine(Directory, name + ".key"));

    private void Write(string name, (X509Certificate2 Certificate, ECDsa Key) issued)
    {
        var (certificate, key) = Pair(name);
        File.WriteAllText(certificate, issued.Certificate.ExportCertificatePem());
        File.WriteAllText(key, issued.Key.ExportPkcs8PrivateKeyPem());
        issued.Certificate.Dispose();
        issued.Key.Dispose();
    }

    private static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static (X509Certificate2, ECDsa) Issue(X509Certificate2 authority, string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var certificate = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(16));
        return (certificate, key);
    }
}
