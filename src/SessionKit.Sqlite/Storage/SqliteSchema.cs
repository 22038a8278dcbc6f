using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite;

/// <summary>
/// The database schema as forward-only migrations. <c>PRAGMA user_version</c> records the last one applied; each runs in the
/// same IMMEDIATE transaction as its version bump, so two processes opening a new file at once cannot both apply it.
/// </summary>
internal static class SqliteSchema
{
    private static readonly Migration[] Migrations =
    [
        // 1: sessions and messages.
        new("""
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
        """),

        // 2: token counts cached per message, and summaries. Rows from version 1 keep a null encoding; readers recount them
        // (TokenCounting.CountMessageCached) instead of trusting the 0 default.
        new("""
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
        """),

        // 3: full-text search. Each message carries its owner's user key (a hash of the user id, one FTS token), so a
        // search filters by user inside the FTS index instead of joining every match to its session. The external-content
        // index is kept in sync by triggers, in the same transaction as every insert, update and delete (cascades included).
        new(
            "ALTER TABLE messages ADD COLUMN user_key TEXT NOT NULL DEFAULT '';",
            BackfillUserKeys,
            """
            CREATE VIRTUAL TABLE messages_fts USING fts5(
                content, user_key,
                content = 'messages', content_rowid = 'row_id',
                tokenize = 'porter unicode61 remove_diacritics 2');
            CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts (rowid, content, user_key) VALUES (new.row_id, new.content, new.user_key);
            END;
            CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_fts (messages_fts, rowid, content, user_key) VALUES ('delete', old.row_id, old.content, old.user_key);
            END;
            CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, user_key ON messages BEGIN
                INSERT INTO messages_fts (messages_fts, rowid, content, user_key) VALUES ('delete', old.row_id, old.content, old.user_key);
                INSERT INTO messages_fts (rowid, content, user_key) VALUES (new.row_id, new.content, new.user_key);
            END;
            INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
            """),

        // 4: session tokens and devices. Only hashes are kept: SHA-256 of a token's secret, HMAC-SHA256 of a device
        // fingerprint. No foreign keys: a token may name a session or device that comes or goes on its own schedule;
        // forgetting a device revokes its tokens in the same transaction instead.
        new("""
        CREATE TABLE session_tokens (
            token_id    BLOB    NOT NULL PRIMARY KEY,
            secret_hash BLOB    NOT NULL,
            user_id     TEXT    NOT NULL,
            session_id  BLOB    NULL,
            device_id   TEXT    NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL,
            revoked_at  INTEGER NULL,
            replaced_by BLOB    NULL
        );
        CREATE INDEX ix_session_tokens_user ON session_tokens (user_id);

        CREATE TABLE devices (
            user_id          TEXT    NOT NULL,
            device_id        TEXT    NOT NULL,
            display_name     TEXT    NULL,
            fingerprint_hash BLOB    NULL,
            first_seen_at    INTEGER NOT NULL,
            last_seen_at     INTEGER NOT NULL,
            PRIMARY KEY (user_id, device_id)
        ) WITHOUT ROWID;
        CREATE INDEX ix_devices_user_fingerprint ON devices (user_id, fingerprint_hash);
        """),

        // 5: the session a new one continues (after a long gap). No foreign key: deleting the earlier session must not
        // cascade to or be blocked by the later one; readers treat a dangling link as "nothing to carry over".
        new("ALTER TABLE sessions ADD COLUMN continues_from BLOB NULL;"),

        // 6: access grants. A grant over one session goes with the session (cascade); a grant over all of an owner's
        // sessions has no session id. One grant per (owner, session or all, grantee): saving again replaces it.
        new("""
        CREATE TABLE session_grants (
            owner_user_id TEXT    NOT NULL,
            session_id    BLOB    NULL REFERENCES sessions (id) ON DELETE CASCADE,
            grantee       TEXT    NOT NULL,
            access        INTEGER NOT NULL,
            granted_at    INTEGER NOT NULL,
            expires_at    INTEGER NULL
        );
        CREATE UNIQUE INDEX ux_session_grants_key ON session_grants (owner_user_id, grantee, IFNULL(session_id, X''));
        CREATE INDEX ix_session_grants_session ON session_grants (session_id);
        """),

        // 7: privacy. FTS5 'secure-delete' makes a deleted row's terms leave the index segments at once instead of
        // lingering behind a delete marker until the next merge, so an erase leaves no searchable (or readable) trace.
        // Deleted table content is zeroed by PRAGMA secure_delete, which every connection turns on.
        // Per-user data keys for encryption at rest, wrapped by a master key; erasing the user deletes the row (crypto-shredding).
        new("""
        INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);
        CREATE TABLE user_keys (
            user_id       TEXT    NOT NULL PRIMARY KEY,
            key_id        TEXT    NOT NULL,
            master_key_id TEXT    NOT NULL,
            wrapped_key   BLOB    NOT NULL,
            created_at    INTEGER NOT NULL
        ) WITHOUT ROWID;
        """),

        // 8: concurrency, correction and shared state: message revisions (replaced contents of edited messages),
        // idempotency keys of appends, fork links, app/user/session state entries, the per-session change log (one row per
        // session version) and session leases. Everything session-bound goes with its session through ON DELETE CASCADE.
        new("""
        ALTER TABLE messages ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sessions ADD COLUMN forked_from BLOB NULL;
        ALTER TABLE sessions ADD COLUMN forked_at INTEGER NULL;

        CREATE TABLE message_revisions (
            session_id  BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            sequence    INTEGER NOT NULL,
            revision    INTEGER NOT NULL,
            content     TEXT    NOT NULL,
            token_count INTEGER NOT NULL,
            replaced_at INTEGER NOT NULL,
            replaced_by TEXT    NULL,
            PRIMARY KEY (session_id, sequence, revision)
        ) WITHOUT ROWID;

        CREATE TABLE idempotency_keys (
            session_id     BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            key            TEXT    NOT NULL,
            first_sequence INTEGER NOT NULL,
            last_sequence  INTEGER NOT NULL,
            fingerprint    TEXT    NOT NULL,
            PRIMARY KEY (session_id, key)
        ) WITHOUT ROWID;

        CREATE TABLE state_entries (
            scope      INTEGER NOT NULL,
            scope_id   TEXT    NOT NULL,
            key        TEXT    NOT NULL,
            value      TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT    NULL,
            session_id BLOB    NULL REFERENCES sessions (id) ON DELETE CASCADE,
            PRIMARY KEY (scope, scope_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX ix_state_entries_session ON state_entries (session_id) WHERE session_id IS NOT NULL;

        CREATE TABLE session_changes (
            session_id    BLOB    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            version       INTEGER NOT NULL,
            kind          INTEGER NOT NULL,
            from_sequence INTEGER NULL,
            to_sequence   INTEGER NULL,
            state_key     TEXT    NULL,
            author_id     TEXT    NULL,
            changed_at    INTEGER NOT NULL,
            PRIMARY KEY (session_id, version)
        ) WITHOUT ROWID;

        CREATE TABLE session_leases (
            session_id BLOB    NOT NULL PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
            holder     TEXT    NOT NULL,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """),

        // 9: settings the file must keep for its whole life (whether it is encrypted at rest: a store opened in the other
        // mode would mix plaintext and ciphertext), reading messages by time without scanning the session, and listing a
        // user's sessions in creation (id) order, which activity never changes.
        new("""
        CREATE TABLE store_settings (
            name  TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX ix_messages_session_created ON messages (session_id, created_at, sequence);
        CREATE INDEX ix_sessions_user_id ON sessions (user_id, id);
        """),

        // 10: embedding vectors, one per message and per summary, as float32 BLOBs (sealed envelopes when encrypted). A
        // semantic search reads one user's vectors of one model through ix_message_embeddings_user (rows stay small enough
        // to sit in the table's leaf pages, which WITHOUT ROWID would spill to overflow pages). Vectors go with their
        // message or summary (cascade) and are dropped when its content or owner changes, so a stale vector never ranks.
        new("""
        CREATE TABLE message_embeddings (
            message_row INTEGER NOT NULL PRIMARY KEY REFERENCES messages (row_id) ON DELETE CASCADE,
            user_key    TEXT    NOT NULL,
            model       TEXT    NOT NULL,
            session_id  BLOB    NOT NULL,
            sequence    INTEGER NOT NULL,
            message_id  BLOB    NOT NULL,
            role        INTEGER NOT NULL,
            created_at  INTEGER NOT NULL,
            dimensions  INTEGER NOT NULL,
            vector      BLOB    NOT NULL
        );
        CREATE INDEX ix_message_embeddings_user ON message_embeddings (user_key, model);
        CREATE TRIGGER messages_embedding_stale AFTER UPDATE OF content, user_key ON messages BEGIN
            DELETE FROM message_embeddings WHERE message_row = old.row_id;
        END;

        CREATE TABLE summary_embeddings (
            summary_row INTEGER NOT NULL PRIMARY KEY REFERENCES summaries (row_id) ON DELETE CASCADE,
            user_key    TEXT    NOT NULL,
            model       TEXT    NOT NULL,
            dimensions  INTEGER NOT NULL,
            vector      BLOB    NOT NULL
        );
        CREATE INDEX ix_summary_embeddings_user ON summary_embeddings (user_key, model);
        """),

        // 11: a per-user embedding version, so a store can cache a user's vectors in memory and check with one indexed
        // read that they are still current. Triggers on message_embeddings give the user a fresh number from a global
        // clock whenever one of their vectors is inserted, replaced or deleted (deletes include the cascades and the stale
        // trigger: edit, delete, rewind, retention, session deletion, erase), in the same transaction, whichever store
        // instance or process writes. The clock never goes back, so a number is never reused, even after the user's row
        // is removed with their last vector (an erased user leaves no row here).
        new("""
        CREATE TABLE embedding_clock (
            id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            value INTEGER NOT NULL
        );
        INSERT INTO embedding_clock (id, value) VALUES (1, 1);
        CREATE TABLE message_embedding_versions (
            user_key TEXT    NOT NULL PRIMARY KEY,
            version  INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO message_embedding_versions (user_key, version) SELECT user_key, 1 FROM message_embeddings GROUP BY user_key;
        CREATE TRIGGER message_embeddings_inserted AFTER INSERT ON message_embeddings BEGIN
            UPDATE embedding_clock SET value = value + 1 WHERE id = 1;
            INSERT INTO message_embedding_versions (user_key, version) VALUES (new.user_key, (SELECT value FROM embedding_clock WHERE id = 1))
                ON CONFLICT (user_key) DO UPDATE SET version = excluded.version;
        END;
        CREATE TRIGGER message_embeddings_updated AFTER UPDATE ON message_embeddings BEGIN
            UPDATE embedding_clock SET value = value + 1 WHERE id = 1;
            INSERT INTO message_embedding_versions (user_key, version) VALUES (new.user_key, (SELECT value FROM embedding_clock WHERE id = 1))
                ON CONFLICT (user_key) DO UPDATE SET version = excluded.version;
        END;
        CREATE TRIGGER message_embeddings_deleted AFTER DELETE ON message_embeddings BEGIN
            UPDATE embedding_clock SET value = value + 1 WHERE id = 1;
            UPDATE message_embedding_versions SET version = (SELECT value FROM embedding_clock WHERE id = 1) WHERE user_key = old.user_key;
            DELETE FROM message_embedding_versions WHERE user_key = old.user_key
                AND NOT EXISTS (SELECT 1 FROM message_embeddings WHERE user_key = old.user_key);
        END;
        """),
    ];

    private const string EncryptionSetting = "encryption";

    /// <summary>
    /// Records on first use whether the file is encrypted at rest, and refuses a store opened in the other mode: encrypted
    /// rows read without keys would come back as ciphertext-derived text, and plaintext appended into an encrypted file would
    /// never open again. A file from before the setting existed is judged by what it holds (wrapped user keys mean encrypted).
    /// </summary>
    /// <exception cref="SessionKitException">The file was written in the other mode; nothing was read or written.</exception>
    public static void CheckEncryptionMode(SqliteConnection connection, bool encrypted, string dataSource)
    {
        string recorded;
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            using var read = connection.CreateCommand();
            read.Transaction = transaction;
            read.CommandText = $"SELECT value FROM store_settings WHERE name = '{EncryptionSetting}';";
            if (read.ExecuteScalar() is string value)
            {
                recorded = value;
            }
            else
            {
                read.CommandText = "SELECT CASE WHEN EXISTS (SELECT 1 FROM user_keys) THEN 'on' WHEN EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM state_entries) THEN 'off' END;";
                recorded = read.ExecuteScalar() as string ?? (encrypted ? "on" : "off");
                read.CommandText = $"INSERT INTO store_settings (name, value) VALUES ('{EncryptionSetting}', $value);";
                read.Parameters.AddWithValue("$value", recorded);
                read.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        bool fileEncrypted = recorded == "on";
        if (fileEncrypted != encrypted)
        {
            throw new SessionKitException(fileEncrypted
                ? $"The SQLite database '{dataSource}' is encrypted at rest, but this store was opened without encryption (EncryptionOptions.Enabled is false). " +
                  "Open it with EncryptionOptions.Enabled = true and its master keys; reading it without them would return ciphertext and writing would mix plaintext into it."
                : $"The SQLite database '{dataSource}' stores plaintext, but this store was opened with encryption at rest (EncryptionOptions.Enabled is true). " +
                  "Open it with EncryptionOptions.Enabled = false, or use a new file for an encrypted store; converting an existing database is not supported.");
        }
    }

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
            var migration = Migrations[version - 1];
            Execute(connection, transaction, migration.Sql);
            if (migration.Then is not null)
            {
                migration.Then(connection, transaction);
                Execute(connection, transaction, migration.ThenSql!);
            }

            Execute(connection, transaction, $"PRAGMA user_version = {version};");
        }

        transaction.Commit();
        return found;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void BackfillUserKeys(SqliteConnection connection, SqliteTransaction transaction)
    {
        var users = new List<string>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT DISTINCT user_id FROM sessions;";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                users.Add(reader.GetString(0));
            }
        }

        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE messages SET user_key = $user_key WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $user_id);";
        var key = update.Parameters.Add("$user_key", SqliteType.Text);
        var user = update.Parameters.Add("$user_id", SqliteType.Text);
        foreach (var userId in users)
        {
            key.Value = UserKey.For(userId);
            user.Value = userId;
            update.ExecuteNonQuery();
        }
    }

    /// <summary>One schema step: SQL, optionally followed by code and more SQL (for data that SQL alone cannot compute).</summary>
    private sealed record Migration(string Sql, Action<SqliteConnection, SqliteTransaction>? Then = null, string? ThenSql = null);

    private static int ReadVersion(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
