namespace SessionKit.Sqlite;

/// <summary>
/// Thrown when a <see cref="SqliteSessionStore"/> is pointed at a file that is not a SQLite database (another kind of
/// file, a damaged database, or one encrypted by another tool). The file is left as it was.
/// </summary>
public sealed class SqliteDatabaseFileException : SessionKitException
{
    private SqliteDatabaseFileException(string message, string dataSource, Exception? innerException)
        : base(message, innerException)
    {
        DataSource = dataSource;
    }

    /// <summary>Creates an exception with a default message.</summary>
    public SqliteDatabaseFileException()
        : base("The file is not a SQLite database, so the session store cannot open it.")
    {
        DataSource = string.Empty;
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SqliteDatabaseFileException(string message)
        : base(message)
    {
        DataSource = string.Empty;
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SqliteDatabaseFileException(string message, Exception? innerException)
        : base(message, innerException)
    {
        DataSource = string.Empty;
    }

    internal static SqliteDatabaseFileException NotADatabase(string dataSource, Exception innerException) => new(
        $"The file '{dataSource}' is not a SQLite database (it may be another kind of file, damaged, or encrypted by another tool), " +
        "so the session store cannot open it; it was left unchanged. Point SqliteSessionStoreOptions.ConnectionString at a new " +
        "file (SessionKit creates it) or at a database SessionKit created, or restore this one from a backup.",
        dataSource,
        innerException);

    /// <summary>The full path of the file that is not a SQLite database; empty when unknown.</summary>
    public string DataSource { get; }
}
