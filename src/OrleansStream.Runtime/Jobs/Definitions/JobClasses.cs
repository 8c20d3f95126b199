using System.Reflection;
using OrleansStream.Api;
using OrleansStream.Contracts.Jobs;

namespace OrleansStream.Runtime.Jobs.Definitions;

/// <summary>Creating a job from its <see cref="IStreamJob"/> class, deployed or uploaded.</summary>
internal static class JobClasses
{
    public static IStreamJob Instantiate(Type type)
    {
        if (!typeof(IStreamJob).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new JobSubmissionException($"Job type '{type.FullName}' must implement {nameof(IStreamJob)} and have a public parameterless constructor.");
        }

        try
        {
            return (IStreamJob)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex)
        {
            var cause = ex.InnerException ?? ex;
            throw new JobSubmissionException($"The constructor of job type '{type.FullName}' threw {cause.GetType().Name}: {cause.Message}");
        }
    }

    /// <summary>The job classes of <paramref name="assembly"/>, for a message that names what could have been meant.</summary>
    public static string JobTypesIn(Assembly assembly)
    {
        try
        {
            var names = assembly.GetExportedTypes()
                .Where(t => typeof(IStreamJob).IsAssignableFrom(t) && !t.IsAbstract)
                .Select(t => t.FullName)
                .Order(StringComparer.Ordinal)
                .ToList();
            return names.Count == 0 ? "none" : string.Join(", ", names);
        }
        catch (Exception ex) when (IsMissingCode(ex))
        {
            return $"unknown ({ex.GetBaseException().Message})";
        }
    }

    /// <summary>The ways the runtime reports code the job needs but the silo does not have.</summary>
    public static bool IsMissingCode(Exception ex)
        => ex is FileNotFoundException or FileLoadException or TypeLoadException or MissingMemberException or ReflectionTypeLoadException or BadImageFormatException;
}
