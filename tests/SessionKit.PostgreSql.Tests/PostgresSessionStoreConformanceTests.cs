using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The shared store conformance suite against a real PostgreSQL server, in an empty schema per store.</summary>
[TestFixture]
public sealed class PostgresSessionStoreConformanceTests : SessionStoreConformanceTests
{
    // Every append is a server round trip (80,000 took ~1.5 min here); 16,000 keep 8 writers contending for the whole
    // test, and PostgresMultiInstanceTests appends 16,000 more through three store instances.
    protected override int StressAppendsPerWriter => 2_000;

    private string? _schema;

    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits)
    {
        var options = PostgresServer.Options();
        _schema = options.Schema;
        return new PostgreSqlSessionStore(options, limits, timeProvider);
    }

    // Another server on the same database schema.
    protected override ISessionStore? CreateStoreOnSameData(TimeProvider timeProvider, SessionLimits limits) =>
        new PostgreSqlSessionStore(PostgresServer.Options(_schema), limits, timeProvider);
}
