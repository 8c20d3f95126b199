namespace OrleansStream.Cli;

/// <summary>The silo gateway the command talks to, and the cluster it must belong to.</summary>
internal sealed record Gateway(int Port, string ClusterId, string ServiceId);
