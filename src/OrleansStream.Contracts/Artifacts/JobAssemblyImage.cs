using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Contracts.Artifacts;

/// <summary>
/// The bytes of an uploaded job assembly, checked before anything is stored: a managed assembly (not a
/// native dll, a module or a reference assembly), identified by the SHA-256 of its content.
/// </summary>
public sealed record JobAssemblyImage(string Id, string AssemblyName)
{
    /// <summary>The artifact id of <paramref name="content"/>: its SHA-256, as lower-case hex.</summary>
    public static string IdOf(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Reads the assembly's identity from <paramref name="content"/>; throws <see cref="JobSubmissionException"/> when it is no loadable .NET assembly.</summary>
    public static JobAssemblyImage Inspect(string fileName, ReadOnlyMemory<byte> content)
    {
        if (content.IsEmpty)
        {
            throw NotAnAssembly(fileName, "the file is empty");
        }

        if (content.Length > JobArtifactLimits.MaxLength)
        {
            throw new JobSubmissionException($"'{fileName}' has {content.Length:N0} bytes; a job assembly may have at most {JobArtifactLimits.MaxLength >> 20} MiB: deploy large dependencies with the silos.");
        }

        try
        {
            using var stream = MemoryMarshal.TryGetArray(content, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(content.ToArray(), writable: false);
            using var pe = new PEReader(stream, PEStreamOptions.PrefetchEntireImage);
            if (!pe.HasMetadata)
            {
                throw NotAnAssembly(fileName, "it has no .NET metadata (a native library?)");
            }

            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                throw NotAnAssembly(fileName, "it is a module without an assembly manifest");
            }

            var definition = metadata.GetAssemblyDefinition();
            if (IsReferenceAssembly(metadata, definition))
            {
                throw NotAnAssembly(fileName,
                    "it is a reference assembly (from obj/.../ref/), which holds no code; upload the dll from the project's bin/ output");
            }

            return new JobAssemblyImage(IdOf(content.Span), metadata.GetString(definition.Name));
        }
        catch (BadImageFormatException ex)
        {
            throw NotAnAssembly(fileName, ex.Message);
        }
    }

    private static bool IsReferenceAssembly(MetadataReader metadata, AssemblyDefinition definition)
    {
        foreach (var handle in definition.GetCustomAttributes())
        {
            var constructor = metadata.GetCustomAttribute(handle).Constructor;
            if (constructor.Kind == HandleKind.MemberReference
                && metadata.GetMemberReference((MemberReferenceHandle)constructor).Parent is { Kind: HandleKind.TypeReference } parent)
            {
                var type = metadata.GetTypeReference((TypeReferenceHandle)parent);
                if (metadata.StringComparer.Equals(type.Name, "ReferenceAssemblyAttribute")
                    && metadata.StringComparer.Equals(type.Namespace, "System.Runtime.CompilerServices"))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static JobSubmissionException NotAnAssembly(string fileName, string reason)
        => new($"'{fileName}' is not a .NET assembly that can run as a job: {reason}. " +
               "Upload the compiled dll of the project that holds your IStreamJob class (its bin/<configuration>/<framework>/ output).");
}
