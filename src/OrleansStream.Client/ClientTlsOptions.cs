namespace OrleansStream.Client;

/// <summary>
/// TLS to a cluster's gateways: the client trusts the silos whose certificates <see cref="Authority"/> signed, and
/// presents <see cref="Certificate"/> where the silos require client certificates (mutual TLS).
/// </summary>
/// <param name="Authority">PEM file of the authority's certificate(s).</param>
/// <param name="Certificate">PEM (with <paramref name="Key"/>) or PKCS#12 file of this client's certificate; null, none.</param>
/// <param name="Key">PEM file of the certificate's private key.</param>
/// <param name="Password">Password of a PKCS#12 file.</param>
public sealed record ClientTlsOptions(string Authority, string? Certificate = null, string? Key = null, string? Password = null);
