using NUnit.Framework;
using SessionKit.Conformance;

namespace SessionKit.Sqlite.Tests;

/// <summary>The shared conformance suite against a real SQLite database file per test.</summary>
[TestFixture]
public sealed class SqliteSessionStoreConformanceTests : SessionStoreConformanceTests
{
    private TempDatabase? _folder;
    private int _files;

    [OneTimeSetUp]
    public void CreateFolder() => _folder = new TempDatabase();

    [OneTimeTearDown]
    public void DeleteFolder() => _folder?.Dispose();

    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits)
    {
        string path = Path.Combine(_folder!.Folder, $"conformance-{Interlocked.Increment(ref _files)}.db");
        return new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={path}" }, limits, timeProvider);
    }
}
