using Microsoft.Data.Sqlite;

namespace SessionKit.Samples;

/// <summary>
/// What a sample may do with a database path it was given: use an existing file only when it is a SessionKit database,
/// create a new one otherwise, and delete only databases it created itself (or SessionKit databases it was asked to reset).
/// </summary>
internal static class SampleDatabaseFile
{
    private static readonly string[] CompanionSuffixes = ["-wal", "-shm", "-journal"];

    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <summary>A new, unused path in the temp folder, for a sample that keeps nothing after it ends.</summary>
    public static string NewTempPath(string prefix) =>
        Path.Combine(Path.GetTempPath(), $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}.db");

    /// <summary>
    /// Why <paramref name="path"/> must not be used as a database, or <see langword="null"/> when it may: it does not exist
    /// yet (and its folder does), or it is an existing SessionKit database.
    /// </summary>
    public static string? ProblemWith(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            return $"'{fullPath}' is a directory, not a database file.";
        }

        if (!File.Exists(fullPath))
        {
            string? folder = Path.GetDirectoryName(fullPath);
            return folder is null || Directory.Exists(folder) ? null : $"The folder of '{fullPath}' does not exist.";
        }

        return IsSessionKitDatabase(fullPath)
            ? null
            : $"'{fullPath}' exists and is not a SessionKit database; refusing to touch it. Pass the path of a new file (or of a SessionKit database).";
    }

    /// <summary>Why <paramref name="path"/> cannot be a new database, or <see langword="null"/> when nothing is there yet.</summary>
    public static string? ProblemWithNew(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (File.Exists(fullPath) || Directory.Exists(fullPath))
        {
            return $"'{fullPath}' already exists; this sample only creates new databases and never overwrites a file. Pass a path that does not exist yet.";
        }

        string? folder = Path.GetDirectoryName(fullPath);
        return folder is null || Directory.Exists(folder) ? null : $"The folder of '{fullPath}' does not exist.";
    }

    /// <summary>Whether the file is an SQLite database that holds SessionKit's schema (read-only check; writes nothing).</summary>
    public static bool IsSessionKitDatabase(string path)
    {
        var header = new byte[SqliteHeader.Length];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
            {
                return false;
            }
        }

        try
        {
            string connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString;
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('sessions', 'messages');";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 2;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>Deletes a database and its companion files (WAL, shared memory, journal); returns how many existed.</summary>
    public static int Delete(string path)
    {
        // Pooled connections keep handles open; let them go before the files do.
        SqliteConnection.ClearAllPools();
        int deleted = 0;
        foreach (string file in CompanionSuffixes.Prepend(string.Empty).Select(suffix => path + suffix))
        {
            if (File.Exists(file))
            {
                File.Delete(file);
                deleted++;
            }
        }

        return deleted;
    }
}
