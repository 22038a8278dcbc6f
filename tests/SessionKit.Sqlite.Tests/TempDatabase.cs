namespace SessionKit.Sqlite.Tests;

/// <summary>A database file path in a fresh temporary folder, deleted with the folder on dispose.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "sessionkit-tests", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "sessions.db");
    }

    public string Folder { get; }

    public string FilePath { get; }

    public string ConnectionString => $"Data Source={FilePath}";

    /// <summary>A new database file path in this folder, numbered by <paramref name="counter"/> (for one file per test).</summary>
    public string NextFile(ref int counter) => Path.Combine(Folder, $"db-{Interlocked.Increment(ref counter)}.db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A store left open by a failed test keeps the file busy on some platforms; the temp folder is cleaned by the OS.
        }
    }
}
