using Microsoft.Data.Sqlite;
using NUnit.Framework;
using SessionKit.Testing;
using SessionKit.Storage;

namespace SessionKit.Sqlite.Tests;

/// <summary>The token and device conformance suite against a real SQLite database file per store.</summary>
[TestFixture]
public sealed class SqliteSessionTokenConformanceTests : SessionTokenConformanceTests
{
    private TempDatabase? _folder;
    private int _files;

    [OneTimeSetUp]
    public void CreateFolder() => _folder = new TempDatabase();

    [OneTimeTearDown]
    public void DeleteFolder() => _folder?.Dispose();

    protected override ISessionTokenStore CreateStore(TimeProvider timeProvider) =>
        new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={_folder!.NextFile(ref _files)}" }, null, timeProvider);

    /// <summary>The database and its WAL as written, then the database again after a checkpoint moved the WAL into it.</summary>
    protected override IReadOnlyList<byte[]> ReadRawStorage(ISessionTokenStore store)
    {
        string path = ((SqliteSessionStore)store).DataSource;
        var files = new List<byte[]> { ReadShared(path), ReadShared(path + "-wal") };
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        files.Add(ReadShared(path));
        files.Add(ReadShared(path + "-wal"));
        return files;
    }

    private static byte[] ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
