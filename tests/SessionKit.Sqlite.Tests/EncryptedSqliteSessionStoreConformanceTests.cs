using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Sqlite.Tests;

/// <summary>The whole store conformance suite against a real SQLite file, with encryption at rest on.</summary>
[TestFixture]
public sealed class EncryptedSqliteSessionStoreConformanceTests : SessionStoreConformanceTests
{
    private TempDatabase? _folder;
    private int _files;

    [OneTimeSetUp]
    public void CreateFolder() => _folder = new TempDatabase();

    [OneTimeTearDown]
    public void DeleteFolder() => _folder?.Dispose();

    protected override ISessionStore CreateStore(TimeProvider timeProvider, SessionLimits limits) =>
        new SqliteSessionStore(
            new SqliteSessionStoreOptions { ConnectionString = $"Data Source={_folder!.NextFile(ref _files)}" },
            limits,
            timeProvider,
            masterKeys: TestMasterKeys.Provider());
}
