using System.CommandLine;
using OrleansStream.Contracts.Rescaling;

namespace OrleansStream.Cli;

/// <summary>
/// <c>rescale &lt;job&gt; --parallelism N</c> or <c>--vertex name=N</c>: changes a running job's parallelism and waits
/// until it is done, printing what moved and how long key groups paused.
/// </summary>
internal static class RescaleCommand
{
    public static Command Create(CommandRunner runner, Argument<string> jobId, Option<bool> json)
    {
        var parallelism = WholeNumber.Optional("--parallelism", min: 1, aliases: "-p");
        parallelism.Description = "The parallelism of every vertex that follows the job's default (not those the job fixed).";
        var vertices = new Option<string[]>("--vertex")
        {
            Description = "name=N: the parallelism of the vertex that holds the operator 'name'; repeat for more vertices.",
            AllowMultipleArgumentsPerToken = false,
        };
        var timeout = WholeNumber.WithDefault("--timeout", 300, min: 1);
        timeout.Description = "Seconds to wait for the rescale.";
        var command = new Command("rescale", "Change the parallelism of a running job without stopping it: keyed vertices move key groups live; other changes restart it from a savepoint.")
        {
            jobId, parallelism, vertices, timeout, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(parallelism) is null && (result.GetValue(vertices) ?? []).Length == 0)
            {
                result.AddError("Give --parallelism N or --vertex name=N.");
            }

            foreach (var vertex in result.GetValue(vertices) ?? [])
            {
                if (Parse(vertex) is null)
                {
                    result.AddError($"--vertex '{vertex}' is not name=N with N a whole number from 1.");
                }
            }
        });
        command.SetAction((result, cancellationToken) => runner.RunAsync(result, async (client, cancellationToken) =>
        {
            string id = result.GetRequiredValue(jobId);
            var request = new RescaleRequest
            {
                Parallelism = result.GetValue(parallelism),
                Vertices = (result.GetValue(vertices) ?? []).Select(v => Parse(v)!.Value).ToDictionary(v => v.Name, v => v.Parallelism),
            };
            RescaleInfo rescale;
            using (ProgressLine.Start($"Rescaling {id}"))
            {
                rescale = await client.RescaleAsync(id, request, TimeSpan.FromSeconds(result.GetValue(timeout)), cancellationToken);
            }

            if (result.GetValue(json))
            {
                JsonOutput.Write(Console.Out, rescale);
            }
            else
            {
                Console.WriteLine(rescale.Vertices.Count == 0 ? $"Job {id} already runs at that parallelism." : $"Rescaled {id}: {JobStatusWriter.Describe(rescale)}");
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }

    private static (string Name, int Parallelism)? Parse(string vertex)
    {
        int equals = vertex.LastIndexOf('=');
        return equals > 0 && int.TryParse(vertex.AsSpan(equals + 1), out int parallelism) && parallelism >= 1
            ? (vertex[..equals].Trim(), parallelism)
            : null;
    }
}
