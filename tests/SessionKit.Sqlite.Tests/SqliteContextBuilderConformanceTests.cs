using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Sqlite.Tests;

/// <summary>The context builder's rules against a real SQLite database file per test.</summary>
[TestFixture]
public sealed class SqliteContextBuilderConformanceTests : ContextBuilderConformanceTests
{
    private TempDatabase? _folder;
    private int _files;

    [OneTimeSetUp]
    public void CreateFolder() => _folder = new TempDatabase();

    [OneTimeTearDown]
    public void DeleteFolder() => _folder?.Dispose();

    protected override ISessionStore CreateStore(TimeProvider timeProvider) =>
        new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={_folder!.NextFile(ref _files)}" }, null, timeProvider);
}
