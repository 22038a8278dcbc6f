using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The token and device conformance suite against PostgreSQL, in an empty schema per store.</summary>
[TestFixture]
public sealed class PostgresSessionTokenConformanceTests : SessionTokenConformanceTests
{
    protected override ISessionTokenStore CreateStore(TimeProvider timeProvider) =>
        new PostgreSqlSessionStore(PostgresServer.Options(), null, timeProvider);

    /// <summary>Every table of the store's schema as PostgreSQL's binary COPY writes it: the bytes of every stored value.</summary>
    protected override IReadOnlyList<byte[]> ReadRawStorage(ISessionTokenStore store) =>
        RawTables.Dump(((PostgreSqlSessionStore)store).Schema);
}
