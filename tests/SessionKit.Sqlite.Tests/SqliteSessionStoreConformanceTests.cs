using NUnit.Framework;
using SessionKit.Testing;

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

    private string? _file;

    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits)
    {
        _file = _folder!.NextFile(ref _files);
        return new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={_file}" }, limits, timeProvider);
    }

    // Another process on the same file.
    protected override ISessionStore? CreateStoreOnSameData(TimeProvider timeProvider, SessionLimits limits) =>
        new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={_file}" }, limits, timeProvider);
}
