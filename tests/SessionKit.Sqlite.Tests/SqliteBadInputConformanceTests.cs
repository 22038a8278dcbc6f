using NUnit.Framework;
using SessionKit.Conformance;

namespace SessionKit.Sqlite.Tests;

/// <summary>The bad-input corpus against a real SQLite database file, shared by the fixture's cases.</summary>
[TestFixture]
public sealed class SqliteBadInputConformanceTests : BadInputConformanceTests
{
    private TempDatabase? _folder;

    [OneTimeTearDown]
    public void DeleteFolder() => _folder?.Dispose();

    protected override SessionStore CreateStore(TimeProvider timeProvider)
    {
        _folder = new TempDatabase();
        return new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = _folder.ConnectionString }, null, timeProvider);
    }
}
