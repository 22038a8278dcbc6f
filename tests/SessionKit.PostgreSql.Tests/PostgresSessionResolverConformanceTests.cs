using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The resolver conformance suite against PostgreSQL, in an empty schema per store.</summary>
[TestFixture]
public sealed class PostgresSessionResolverConformanceTests : SessionResolverConformanceTests
{
    protected override SessionStore CreateStore(TimeProvider timeProvider) =>
        new PostgreSqlSessionStore(PostgresServer.Options(), null, timeProvider);
}
