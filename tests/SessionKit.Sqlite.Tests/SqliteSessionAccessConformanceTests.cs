using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>The access-control suite against a real SQLite database file per test.</summary>
[TestFixture]
public sealed class SqliteSessionAccessConformanceTests : SessionAccessConformanceTests
{
    private TempDatabase? _folder;
    private int _files;
    private string? _path;

    [OneTimeSetUp]
    public void CreateFolder() => _folder = new TempDatabase();

    [OneTimeTearDown]
    public void DeleteFolder() => _folder?.Dispose();

    protected override SessionStore CreateStore(TimeProvider timeProvider)
    {
        _path = _folder!.NextFile(ref _files);
        return Open(_path, timeProvider);
    }

    [Test]
    public async Task Grants_SurviveReopeningTheDatabase()
    {
        var session = await AliceSessionAsync();
        await Scope(SessionCaller.User("alice")).GrantAsync(session.Id, SessionCaller.Agent("researcher"), SessionAccess.ReadWrite, TimeSpan.FromDays(1));
        await Store.DisposeAsync();

        await using var reopened = Open(_path!, Time);
        var scope = new SessionAccessor(reopened, reopened, timeProvider: Time).ForCaller(SessionCaller.Agent("researcher"));
        var appended = await scope.AppendMessagesAsync(session.Id, [NewMessage.Assistant("noted")]);
        var grant = (await reopened.ListGrantsAsync("alice")).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(appended.Messages[0].AuthorId, Is.EqualTo("researcher"));
            Assert.That(grant.ExpiresAt, Is.EqualTo(StartTime.AddDays(1)));
            Assert.That(grant.Grantee, Is.EqualTo(SessionCaller.Agent("researcher")));
        }
    }

    private static SqliteSessionStore Open(string path, TimeProvider timeProvider) =>
        new(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" }, null, timeProvider);
}
