using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The shared store conformance suite against a real PostgreSQL server, in an empty schema per store.</summary>
[TestFixture]
public sealed class PostgresSessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits) =>
        new PostgreSqlSessionStore(PostgresServer.Options(), limits, timeProvider);
}
