using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The whole store conformance suite against PostgreSQL with encryption at rest on.</summary>
[TestFixture]
public sealed class EncryptedPostgresSessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits) =>
        new PostgreSqlSessionStore(PostgresServer.Options(), limits, timeProvider, masterKeys: TestMasterKeys.Provider());
}
