using System.CommandLine;
using OrleansStream.Cli;

var client = new ClientOptions();
var root = new RootCommand("The orleansstream command: submits, lists, follows, savepoints, stops and cancels jobs on an OrleansStream cluster.");
client.AddTo(root);
var runner = new CommandRunner(client);
foreach (var command in Commands.All(runner))
{
    client.ValidateOn(command);
    root.Subcommands.Add(command);
}

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    // System.CommandLine exits 1 on a bad command line, which scripts could not tell from a failed job.
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine($"See '{root.Name} --help'.");
    return ExitCodes.Usage;
}

// System.CommandLine 2.0.0 handles Ctrl+C and SIGTERM only when given a timeout (the default is
// none): they cancel the command's token, and the command gets this long to finish.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5) });
