namespace OrleansStream.Api.Connectors;

/// <summary>
/// One independently readable part of a source's input, and how far it has been read: a reader's
/// <see cref="ISourceReader{T}.SnapshotSplits"/> returns its splits with their progress, which is what a
/// checkpoint stores and what a restarted (or rescaled) job hands to new readers.
/// </summary>
public abstract record SourceSplit(string SplitId);
