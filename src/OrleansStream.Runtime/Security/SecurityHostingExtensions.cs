using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Connections.Security;
using OrleansStream.Contracts.Security;

namespace OrleansStream.Runtime.Security;

public static class SecurityHostingExtensions
{
    /// <summary>
    /// Checks every client call against <paramref name="options"/>' principals and their roles; with none, nothing is
    /// checked (and no filter sits in the grain calls' path).
    /// </summary>
    /// <exception cref="OrleansConfigurationException">A principal is configured wrong.</exception>
    public static ISiloBuilder AddOrleansStreamSecurity(this ISiloBuilder silo, SecurityOptions options)
    {
        var principals = new PrincipalDirectory(options);
        if (!principals.IsEmpty)
        {
            silo.Services.AddSingleton(principals);
            silo.AddIncomingGrainCallFilter<CallAuthorizationFilter>();
        }

        return silo;
    }

    /// <summary>TLS on the silo's connections as <paramref name="tls"/> says (<see cref="TlsSettings"/>); nothing without a certificate.</summary>
    /// <exception cref="OrleansConfigurationException">The files cannot be read or hold no usable certificate.</exception>
    public static ISiloBuilder UseOrleansStreamTls(this ISiloBuilder silo, TlsSettings tls)
    {
        if (!tls.IsEnabled)
        {
            return silo;
        }

        if (string.IsNullOrEmpty(tls.Authority))
        {
            throw new OrleansConfigurationException("OrleansStream:Tls: Authority (the PEM certificate of the authority that signs the cluster's certificates) goes with Certificate.");
        }

        X509Certificate2 certificate;
        CertificateAuthority authority;
        try
        {
            certificate = CertificateFiles.Load(tls.Certificate!, tls.Key, tls.Password);
            authority = CertificateAuthority.Load(tls.Authority);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or InvalidOperationException)
        {
            throw new OrleansConfigurationException($"OrleansStream:Tls: {ex.Message}");
        }

        TlsOptions Options(RemoteCertificateMode peers) => new()
        {
            LocalCertificate = certificate,
            RemoteCertificateMode = peers,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            RemoteCertificateValidation = authority.Validate,
        };

        return silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(Options(RemoteCertificateMode.RequireCertificate)));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(Options(RemoteCertificateMode.RequireCertificate)));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(
                Options(tls.RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.NoCertificate)));
        });
    }
}
