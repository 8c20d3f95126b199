namespace OrleansStream.Runtime.Security;

/// <summary>
/// Who may use the cluster (<c>OrleansStream:Security</c>). With no principals every client may do everything, as on a
/// development machine; with principals, each client call must carry the token of one, and may do what its roles allow.
/// </summary>
public sealed class SecurityOptions
{
    public List<PrincipalOptions> Principals { get; set; } = [];
}

/// <summary>One principal: a name, the SHA-256 of its token (hex; the token itself is not kept), and its roles.</summary>
public sealed class PrincipalOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The token's SHA-256 as hex: <c>printf %s "$TOKEN" | sha256sum</c>.</summary>
    public string TokenSha256 { get; set; } = string.Empty;

    /// <summary>Comma-separated: read, submit, upload, operate, admin.</summary>
    public string Roles { get; set; } = "read";
}

/// <summary>
/// TLS for the silo's connections (<c>OrleansStream:Tls</c>): to other silos always mutual (each presents its
/// certificate and checks the other's against <see cref="Authority"/>); to clients the silo presents its certificate,
/// and with <see cref="RequireClientCertificate"/> accepts only clients whose certificate the authority signed.
/// </summary>
public sealed class TlsSettings
{
    /// <summary>The silo's certificate: a PEM file (with <see cref="Key"/>) or a PKCS#12 file (with <see cref="Password"/>).</summary>
    public string? Certificate { get; set; }

    public string? Key { get; set; }

    public string? Password { get; set; }

    /// <summary>The PEM certificate(s) of the authority that signs the cluster's certificates.</summary>
    public string? Authority { get; set; }

    /// <summary>Mutual TLS for clients too: a client without a certificate of the authority cannot connect.</summary>
    public bool RequireClientCertificate { get; set; }

    public bool IsEnabled => !string.IsNullOrEmpty(Certificate);
}
