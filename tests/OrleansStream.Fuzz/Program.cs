using OrleansStream.Fuzz;
using SharpFuzz;

// afl-fuzz runs: dotnet OrleansStream.Fuzz.dll <target>; the instrumented assemblies report coverage through SharpFuzz.
// Without afl (to try an input): dotnet OrleansStream.Fuzz.dll <target> <file>...
// The binary seeds of the codec targets: dotnet OrleansStream.Fuzz.dll seeds <directory>
if (args is ["seeds", var directory])
{
    foreach (var (seedTarget, name, bytes) in FuzzTargets.CodecSeeds())
    {
        Directory.CreateDirectory(Path.Combine(directory, seedTarget));
        File.WriteAllBytes(Path.Combine(directory, seedTarget, name), bytes);
    }

    return 0;
}

if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: OrleansStream.Fuzz <{string.Join("|", FuzzTargets.Names)}> [input files]");
    return 64;
}

string target = args[0];
if (args.Length > 1)
{
    foreach (string file in args.Skip(1))
    {
        FuzzTargets.Run(target, File.ReadAllBytes(file));
    }

    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    FuzzTargets.Run(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
