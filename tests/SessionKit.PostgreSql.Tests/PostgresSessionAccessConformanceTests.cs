using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.PostgreSql.Tests;

/// <summary>The access-control suite against PostgreSQL, in an empty schema per store.</summary>
[TestFixture]
public sealed class PostgresSessionAccessConformanceTests : SessionAccessConformanceTests
{
    private string? _schema;

    protected override SessionStore CreateStore(TimeProvider timeProvider)
    {
        _schema = PostgresServer.NewSchema();
        return Open(_schema, timeProvider);
    }

    [Test]
    public async Task Grants_AreSeenByAnotherStoreInstanceOnTheSameSchema()
    {
        var session = await AliceSessionAsync();
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, SessionCaller.Agent("researcher"), SessionAccess.ReadWrite, TimeSpan.FromDays(1));

        await using var other = Open(_schema!, Time);
        var scope = new SessionAccessor(other, other, timeProvider: Time).ForCaller(SessionCaller.Agent("researcher"));
        var appended = await scope.AppendMessagesAsync(session.Id, [NewMessage.Assistant("noted")]);
        var grant = (await other.ListGrantsAsync("alice")).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(appended.Messages[0].AuthorId, Is.EqualTo("researcher"));
            Assert.That(grant.ExpiresAt, Is.EqualTo(StartTime.AddDays(1)));
            Assert.That(grant.Grantee, Is.EqualTo(SessionCaller.Agent("researcher")));
        }
    }

    private static PostgreSqlSessionStore Open(string schema, TimeProvider timeProvider) =>
        new(PostgresServer.Options(schema), null, timeProvider);
}
