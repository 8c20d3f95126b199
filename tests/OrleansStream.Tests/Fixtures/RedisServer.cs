using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansStream.Tests.Fixtures;

/// <summary>
/// A throwaway redis-server on a free loopback port, run as a child process without persistence,
/// killed on dispose or when the test host exits.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private const string HowToInstall = "Install it with 'apt-get install -y redis-server' (test.sh does this when it is missing).";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private Process? _process;
    private IDisposable? _exitCleanup;
    private readonly StringBuilder _output = new();

    public int Port { get; private set; }

    public string Host => "127.0.0.1";

    /// <summary>host:port, as StackExchange.Redis takes it.</summary>
    public string ConnectionString => $"{Host}:{Port}";

    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new RedisServer();
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        try
        {
            await StartCoreAsync(CancellationToken.None);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        var process = _process;
        _process = null;
        if (process is not null)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync();
            }
            finally
            {
                process.Dispose();
            }
        }

        _exitCleanup?.Dispose();
        _exitCleanup = null;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var redisServer = ExecutableLocator.Require("redis-server", HowToInstall);

        // The port is free when chosen but another process can take it before redis binds: try a few.
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            Start(redisServer);
            if (await WaitUntilReadyAsync(cancellationToken))
            {
                return;
            }

            var output = Output();
            await DisposeAsync();
            if (attempt >= 3 || !output.Contains("Address already in use", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"redis-server did not start on port {Port}. Output:\n{output}");
            }
        }
    }

    private void Start(string redisServer)
    {
        var startInfo = new ProcessStartInfo(redisServer)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", Host, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        lock (_output)
        {
            _output.Clear();
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {redisServer}.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _exitCleanup = ProcessExitCleanup.Register(() => process.Kill(entireProcessTree: true));
    }

    private async Task<bool> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process is null || _process.HasExited)
            {
                return false;
            }

            if (await AnswersPingAsync(cancellationToken))
            {
                return true;
            }

            await Task.Delay(20, cancellationToken);
        }

        return false;
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
