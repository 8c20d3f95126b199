namespace OrleansStream.Nexmark.Model;

/// <summary>A new person registered with the auction site (Nexmark's Person). DateTime is when the person registered (the event time), in epoch milliseconds.</summary>
public sealed record Person(long Id, string Name, string EmailAddress, string CreditCard, string City, string State, long DateTime, string Extra);
