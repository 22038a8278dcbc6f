namespace ResearchAssistant;

/// <summary>The files SQLite keeps for one database: the file itself and, in WAL mode, its log and shared-memory index.</summary>
internal static class DatabaseFiles
{
    private static readonly string[] Suffixes = ["", "-wal", "-shm", "-journal"];

    /// <summary>Deletes the database and its companion files; returns how many existed.</summary>
    public static int Delete(string databasePath)
    {
        int deleted = 0;
        foreach (string suffix in Suffixes)
        {
            string path = databasePath + suffix;
            if (File.Exists(path))
            {
                File.Delete(path);
                deleted++;
            }
        }

        return deleted;
    }
}
