using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The bad-input corpus against PostgreSQL, one schema shared by the fixture's cases.</summary>
[TestFixture]
public sealed class PostgresBadInputConformanceTests : BadInputConformanceTests
{
    protected override SessionStore CreateStore(TimeProvider timeProvider) =>
        new PostgreSqlSessionStore(PostgresServer.Options(), null, timeProvider);
}
