namespace OrleansStream.Runtime.Channels;

/// <summary>Names of the streams that carry data between tasks.</summary>
public static class ChannelNames
{
    /// <summary>Stream namespace of task inputs; the stream key is the consuming task's id.</summary>
    public const string Namespace = "orleansstream.task-input";

    public static StreamId InputStreamOf(string taskKey) => StreamId.Create(Namespace, taskKey);
}
