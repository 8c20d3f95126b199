using System.Reflection;
using System.Runtime.Loader;

namespace OrleansStream.Runtime.Jobs.Artifacts;

/// <summary>
/// The collectible load context of one job's uploaded assembly on one silo. It loads nothing but
/// that assembly: every reference (OrleansStream, its connectors, Orleans, the framework, anything
/// deployed with the silo) resolves in the default context, so that the job's IStreamJob,
/// DataStream and connector types are the silo's own. A reference the silo cannot resolve fails
/// when the job's code first needs it.
/// </summary>
internal sealed class JobLoadContext(string jobId) : AssemblyLoadContext(JobAssemblyLoader.ContextName(jobId), isCollectible: true)
{
    /// <summary>Null defers to the default context.</summary>
    protected override Assembly? Load(AssemblyName assemblyName) => null;

    /// <summary>Native libraries are not part of an upload.</summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) => IntPtr.Zero;
}
