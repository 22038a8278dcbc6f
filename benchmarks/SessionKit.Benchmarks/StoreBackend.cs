namespace SessionKit.Benchmarks;

/// <summary>Which <see cref="ISessionStore"/> a benchmark runs on.</summary>
public enum StoreBackend
{
    /// <summary><see cref="InMemorySessionStore"/>.</summary>
    InMemory,

    /// <summary><see cref="Sqlite.SqliteSessionStore"/> over a file in a temporary folder.</summary>
    Sqlite,

    /// <summary><see cref="PostgreSql.PostgreSqlSessionStore"/> in a new schema on the server named by <c>SESSIONKIT_POSTGRES</c>.</summary>
    PostgreSql,
}
