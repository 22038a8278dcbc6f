using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The whole store conformance suite against PostgreSQL with encryption at rest on.</summary>
[TestFixture]
public sealed class EncryptedPostgresSessionStoreConformanceTests : SessionStoreConformanceTests
{
    // Every append is a server round trip (80,000 took ~1.5 min here); 16,000 keep 8 writers contending for the whole
    // test, and PostgresMultiInstanceTests appends 16,000 more through three store instances.
    protected override int StressAppendsPerWriter => 2_000;

    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits) =>
        new PostgreSqlSessionStore(PostgresServer.Options(), limits, timeProvider, masterKeys: TestMasterKeys.Provider());
}
