using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite;

/// <summary>
/// The database schema as forward-only migrations. <c>PRAGMA user_version</c> records the last one applied; each runs in the
/// same IMMEDIATE transaction as its version bump, so two processes opening a new file at once cannot both apply it.
/// </summary>
internal static class SqliteSchema
{
    private static readonly string[] Migrations =
    [
        // 1: sessions and messages.
        """
        CREATE TABLE sessions (
            id               BLOB    NOT NULL PRIMARY KEY,
            user_id          TEXT    NOT NULL,
            title            TEXT    NULL,
            metadata         TEXT    NULL,
            created_at       INTEGER NOT NULL,
            last_activity_at INTEGER NOT NULL,
            version          INTEGER NOT NULL,
            last_sequence    INTEGER NOT NULL,
            message_count    INTEGER NOT NULL
        );
        CREATE INDEX ix_sessions_user_activity ON sessions (user_id, last_activity_at DESC, id DESC);

        CREATE TABLE messages (
            row_id       INTEGER NOT NULL PRIMARY KEY,
            session_id   BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            sequence     INTEGER NOT NULL,
            id           BLOB    NOT NULL,
            role         INTEGER NOT NULL,
            content      TEXT    NOT NULL,
            author_id    TEXT    NULL,
            tool_call_id TEXT    NULL,
            tool_name    TEXT    NULL,
            created_at   INTEGER NOT NULL,
            metadata     TEXT    NULL
        );
        CREATE UNIQUE INDEX ux_messages_session_sequence ON messages (session_id, sequence);
        """,

        // 2: token counts cached per message, and summaries. Rows from version 1 keep a null encoding; readers recount them
        // (TokenCounting.CountMessageCached) instead of trusting the 0 default.
        """
        ALTER TABLE messages ADD COLUMN token_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN token_encoding TEXT NULL;

        CREATE TABLE summaries (
            row_id         INTEGER NOT NULL PRIMARY KEY,
            session_id     BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            id             BLOB    NOT NULL,
            level          INTEGER NOT NULL,
            from_sequence  INTEGER NOT NULL,
            to_sequence    INTEGER NOT NULL,
            text           TEXT    NOT NULL,
            token_count    INTEGER NOT NULL,
            token_encoding TEXT    NOT NULL,
            summarizer_id  TEXT    NOT NULL,
            created_at     INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX ux_summaries_session_level_from ON summaries (session_id, level, from_sequence);
        CREATE INDEX ix_summaries_session_level_to ON summaries (session_id, level, to_sequence);
        CREATE INDEX ix_summaries_session_to ON summaries (session_id, to_sequence);
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the database up to <see cref="CurrentVersion"/>; returns the version found before.</summary>
    public static int Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        int found = ReadVersion(connection, transaction);
        if (found > CurrentVersion)
        {
            throw new SessionKitException(
                $"The database schema is at version {found}, newer than this SessionKit.Sqlite understands ({CurrentVersion}). Upgrade the SessionKit.Sqlite package.");
        }

        for (int version = found + 1; version <= CurrentVersion; version++)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[version - 1] + $"\nPRAGMA user_version = {version};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return found;
    }

    private static int ReadVersion(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
