using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The context builder's rules against PostgreSQL, in an empty schema per store.</summary>
[TestFixture]
public sealed class PostgresContextBuilderConformanceTests : ContextBuilderConformanceTests
{
    protected override ISessionStore CreateStore(TimeProvider timeProvider) =>
        new PostgreSqlSessionStore(PostgresServer.Options(), null, timeProvider);
}
