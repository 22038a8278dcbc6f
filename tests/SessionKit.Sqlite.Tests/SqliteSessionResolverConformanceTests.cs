using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>The resolver conformance suite against a real SQLite database file per test.</summary>
[TestFixture]
public sealed class SqliteSessionResolverConformanceTests : SessionResolverConformanceTests
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
    public async Task TheLinkToThePreviousSession_SurvivesReopeningTheDatabase()
    {
        var first = await Resolver().ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        Time.Advance(TimeSpan.FromHours(1));
        var second = await Resolver().ResolveAsync(new SessionResolutionRequest { UserId = "alice" });
        await Store.DisposeAsync();

        await using var reopened = Open(_path!, Time);
        var stored = await reopened.GetSessionAsync(second.Session.Id);
        var listed = (await reopened.ListSessionsAsync("alice")).Items;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored.ContinuesFromSessionId, Is.EqualTo(first.Session.Id));
            Assert.That(listed[0].ContinuesFromSessionId, Is.EqualTo(first.Session.Id));
            Assert.That(listed[1].ContinuesFromSessionId, Is.Null);
        }
    }

    private static SqliteSessionStore Open(string path, TimeProvider timeProvider) =>
        new(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" }, null, timeProvider);
}
