namespace OrleansStream.Tests.Fixtures;

/// <summary>The test classes that share one throwaway PostgreSQL server; each creates its own database on it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
