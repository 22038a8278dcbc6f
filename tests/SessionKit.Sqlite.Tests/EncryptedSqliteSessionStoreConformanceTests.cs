using NUnit.Framework;
using SessionKit.Testing;

namespace SessionKit.Sqlite.Tests;

/// <summary>The whole store conformance suite against a real SQLite file, with encryption at rest on.</summary>
[TestFixture]
public sealed class EncryptedSqliteSessionStoreConformanceTests : SessionStoreConformanceTests
{
    private TempDatabase? _folder;
    private int _files;

    // The plaintext SQLite fixture runs the full 8 × 10,000 race (~40 s); sealing adds per-message work but no new
    // concurrency path, so 8 × 2,500 keeps the writers contending for the whole test at a quarter of the CI time.
    protected override int StressAppendsPerWriter => 2_500;

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
