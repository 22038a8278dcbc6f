using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace SessionKit.Sqlite.Tests;

/// <summary>
/// What the file-level SQLite tests share: a fresh database file in a temp folder per test, a fake clock, a way to open a
/// store on the file, and raw SQL against it (on its own unpooled connection, as an outside reader would).
/// </summary>
internal abstract class SqliteFileFixture
{
    private TempDatabase? _db;
    private FakeTimeProvider? _time;

    /// <summary>The test's database file.</summary>
    protected TempDatabase Db => _db ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>The clock stores are opened with.</summary>
    protected FakeTimeProvider Time => _time ?? throw new InvalidOperationException("The fixture has not been set up.");

    /// <summary>Creates the file and the clock.</summary>
    [SetUp]
    public void SetUpFile()
    {
        _db = new TempDatabase();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    /// <summary>Deletes the file.</summary>
    [TearDown]
    public void TearDownFile() => _db?.Dispose();

    /// <summary>Opens a store on the test's file.</summary>
    /// <returns>The store; the caller disposes it.</returns>
    protected SqliteSessionStore Open() => new(new SqliteSessionStoreOptions { ConnectionString = Db.ConnectionString }, null, Time);

    /// <summary>Runs SQL on its own connection and returns the first column of the first row.</summary>
    /// <param name="sql">The SQL.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    protected object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"{Db.ConnectionString};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
