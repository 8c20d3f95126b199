using System.Security.Cryptography.X509Certificates;

namespace OrleansStream.Contracts.Security;

/// <summary>Loads the certificate a silo or client presents, with its private key.</summary>
public static class CertificateFiles
{
    /// <summary>A PEM certificate with its PEM key (<paramref name="keyPath"/>), or a PKCS#12 file (.pfx, .p12) with its password.</summary>
    /// <exception cref="InvalidOperationException">The certificate has no private key; the message names the file.</exception>
    public static X509Certificate2 Load(string certificatePath, string? keyPath = null, string? password = null)
    {
        string extension = Path.GetExtension(certificatePath);
        var certificate = extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase)
            ? X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password)
            : X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return certificate.HasPrivateKey ? certificate : throw new InvalidOperationException($"The certificate in '{certificatePath}' comes without its private key: give the key file too.");
    }
}
