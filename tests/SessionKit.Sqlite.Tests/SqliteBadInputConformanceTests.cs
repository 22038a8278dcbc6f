using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>The bad-input corpus against a real SQLite database file, shared by the fixture's cases.</summary>
[TestFixture]
public sealed class SqliteBadInputConformanceTests : BadInputConformanceTests
{
    // Created with the fixture: the base class's one-time set-up (which opens the store) runs before this class's.
    private readonly TempDatabase _folder = new();

    [OneTimeTearDown]
    public void DeleteFolder() => _folder.Dispose();

    protected override SessionStore CreateStore(TimeProvider timeProvider) =>
        new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = _folder.ConnectionString }, null, timeProvider);
}
