namespace SessionKit.Sqlite;

/// <summary>SQLite's <c>PRAGMA synchronous</c> setting: how hard a commit waits for the disk.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>No syncs. Fastest; an OS crash or power loss can corrupt the database.</summary>
    Off = 0,

    /// <summary>
    /// Syncs at WAL checkpoints only (the default). Never corrupts the database; a power loss can roll back the last
    /// few committed transactions. An application crash loses nothing.
    /// </summary>
    Normal = 1,

    /// <summary>Syncs the WAL on every commit: committed transactions survive power loss, at several times the cost per commit.</summary>
    Full = 2,

    /// <summary>Like <see cref="Full"/>, and also syncs the directory after unlinking a journal.</summary>
    Extra = 3,
}
