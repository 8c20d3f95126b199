using OrleansStream.Fuzz;
using OrleansStream.Tests.Fixtures;

namespace OrleansStream.Tests.Fuzz;

/// <summary>
/// Replays the fuzzer's seeds and every input it once crashed or hung on (tests/fuzz/regressions) through the same
/// targets it fuzzes (tests/fuzz/fuzz.sh): each must be answered by the parser or decoder, not crash it.
/// </summary>
public sealed class FuzzRegressionTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        string root = Repository.Path("tests", "fuzz");
        foreach (string kind in new[] { "seeds", "regressions" })
        {
            foreach (string target in FuzzTargets.Names)
            {
                string directory = Path.Combine(root, kind, target);
                if (Directory.Exists(directory))
                {
                    foreach (string file in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
                    {
                        data.Add(target, Path.GetRelativePath(root, file));
                    }
                }
            }
        }

        foreach (var (target, name, _) in FuzzTargets.CodecSeeds())
        {
            data.Add(target, $"codec seed {name}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_input_is_answered_without_a_crash(string target, string input)
    {
        byte[] bytes = input.StartsWith("codec seed ", StringComparison.Ordinal)
            ? FuzzTargets.CodecSeeds().Single(s => s.Target == target && s.Name == input["codec seed ".Length..]).Bytes
            : File.ReadAllBytes(Repository.Path("tests", "fuzz", input));

        FuzzTargets.Run(target, bytes);
    }

    [Fact]
    public void Every_target_has_seeds()
    {
        var seeded = Inputs().Select(row => (string)row[0]).ToHashSet();

        Assert.Equal(FuzzTargets.Names.Order(), seeded.Order());
    }
}
