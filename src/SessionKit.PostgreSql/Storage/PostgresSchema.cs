using Npgsql;

namespace SessionKit.PostgreSql;

/// <summary>
/// The schema as forward-only migrations, recorded in <c>sessionkit_schema</c>. Migrations run in one transaction under a
/// transaction-scoped advisory lock, so any number of servers starting at once apply each exactly once, and a server that
/// finds a newer schema refuses to start instead of writing rows it does not understand.
/// </summary>
/// <remarks>
/// Every statement names its tables through the <c>§</c> prefix, replaced by the quoted schema name, so stores with
/// different <see cref="PostgreSqlSessionStoreOptions.Schema"/> settings share one database without touching each other.
/// Text columns use the "C" collation: byte order, the ordinal order the other backends sort in.
/// </remarks>
internal static class PostgresSchema
{
    /// <summary>The advisory lock key every SessionKit migration of a database takes (a constant: the first 8 bytes of SHA-256("SessionKit.PostgreSql migrations")).</summary>
    public const long MigrationLockKey = 0x5e55_10c1_7001_0001;

    /// <summary>The advisory lock key the retention sweeper holds, per schema (combined with the schema's hash).</summary>
    public const int SweeperLockClass = 0x5e55_5eed;

    private static readonly string[] Migrations =
    [
        // 1: the whole data model (the SQLite store's nine migrations as one), the search document and its statistics.
        """
        CREATE EXTENSION IF NOT EXISTS btree_gin;

        CREATE TABLE §sessions (
            id               uuid   NOT NULL PRIMARY KEY,
            user_id          text   COLLATE "C" NOT NULL,
            title            text   NULL,
            metadata         text   NULL,
            created_at       bigint NOT NULL,
            last_activity_at bigint NOT NULL,
            version          bigint NOT NULL,
            last_sequence    bigint NOT NULL,
            message_count    bigint NOT NULL,
            continues_from   uuid   NULL,
            forked_from      uuid   NULL,
            forked_at        bigint NULL
        );
        CREATE INDEX ix_sessions_user_activity ON §sessions (user_id, last_activity_at DESC, id DESC);
        CREATE INDEX ix_sessions_user_id ON §sessions (user_id, id);

        CREATE TABLE §messages (
            session_id     uuid     NOT NULL REFERENCES §sessions (id) ON DELETE CASCADE,
            sequence       bigint   NOT NULL,
            id             uuid     NOT NULL,
            role           integer  NOT NULL,
            content        text     NOT NULL,
            author_id      text     NULL,
            tool_call_id   text     NULL,
            tool_name      text     NULL,
            created_at     bigint   NOT NULL,
            metadata       text     NULL,
            token_count    integer  NOT NULL,
            token_encoding text     NULL,
            revision       integer  NOT NULL,
            user_key       text     COLLATE "C" NOT NULL,
            search_vector  tsvector NOT NULL,
            search_length  integer  NOT NULL,
            PRIMARY KEY (session_id, sequence)
        );
        CREATE INDEX ix_messages_session_created ON §messages (session_id, created_at, sequence);
        -- btree_gin: the owner's key and the words in one GIN index, so a search reads only that user's postings.
        CREATE INDEX ix_messages_search ON §messages USING gin (user_key, search_vector);

        CREATE TABLE §summaries (
            session_id     uuid    NOT NULL REFERENCES §sessions (id) ON DELETE CASCADE,
            id             uuid    NOT NULL,
            level          integer NOT NULL,
            from_sequence  bigint  NOT NULL,
            to_sequence    bigint  NOT NULL,
            text           text    NOT NULL,
            token_count    integer NOT NULL,
            token_encoding text    NOT NULL,
            summarizer_id  text    NOT NULL,
            created_at     bigint  NOT NULL,
            PRIMARY KEY (session_id, level, from_sequence)
        );
        CREATE INDEX ix_summaries_session_level_to ON §summaries (session_id, level, to_sequence);
        CREATE INDEX ix_summaries_session_to ON §summaries (session_id, to_sequence);

        CREATE TABLE §session_tokens (
            token_id    uuid   NOT NULL PRIMARY KEY,
            secret_hash bytea  NOT NULL,
            user_id     text   COLLATE "C" NOT NULL,
            session_id  uuid   NULL,
            device_id   text   NULL,
            created_at  bigint NOT NULL,
            expires_at  bigint NOT NULL,
            revoked_at  bigint NULL,
            replaced_by uuid   NULL
        );
        CREATE INDEX ix_session_tokens_user ON §session_tokens (user_id);

        CREATE TABLE §devices (
            user_id          text   COLLATE "C" NOT NULL,
            device_id        text   COLLATE "C" NOT NULL,
            display_name     text   NULL,
            fingerprint_hash bytea  NULL,
            first_seen_at    bigint NOT NULL,
            last_seen_at     bigint NOT NULL,
            PRIMARY KEY (user_id, device_id)
        );
        CREATE INDEX ix_devices_user_fingerprint ON §devices (user_id, fingerprint_hash);

        CREATE TABLE §session_grants (
            owner_user_id text    COLLATE "C" NOT NULL,
            session_id    uuid    NULL REFERENCES §sessions (id) ON DELETE CASCADE,
            grantee       text    COLLATE "C" NOT NULL,
            access        integer NOT NULL,
            granted_at    bigint  NOT NULL,
            expires_at    bigint  NULL
        );
        CREATE UNIQUE INDEX ux_session_grants_key ON §session_grants (owner_user_id, grantee, coalesce(session_id, '00000000-0000-0000-0000-000000000000'::uuid));
        CREATE INDEX ix_session_grants_session ON §session_grants (session_id);

        CREATE TABLE §user_keys (
            user_id       text   COLLATE "C" NOT NULL PRIMARY KEY,
            key_id        text   NOT NULL,
            master_key_id text   NOT NULL,
            wrapped_key   bytea  NOT NULL,
            created_at    bigint NOT NULL
        );

        CREATE TABLE §message_revisions (
            session_id  uuid    NOT NULL REFERENCES §sessions (id) ON DELETE CASCADE,
            sequence    bigint  NOT NULL,
            revision    integer NOT NULL,
            content     text    NOT NULL,
            token_count integer NOT NULL,
            replaced_at bigint  NOT NULL,
            replaced_by text    NULL,
            PRIMARY KEY (session_id, sequence, revision)
        );

        CREATE TABLE §idempotency_keys (
            session_id     uuid   NOT NULL REFERENCES §sessions (id) ON DELETE CASCADE,
            key            text   COLLATE "C" NOT NULL,
            first_sequence bigint NOT NULL,
            last_sequence  bigint NOT NULL,
            fingerprint    text   NOT NULL,
            PRIMARY KEY (session_id, key)
        );

        CREATE TABLE §state_entries (
            scope      integer NOT NULL,
            scope_id   text    COLLATE "C" NOT NULL,
            key        text    COLLATE "C" NOT NULL,
            value      text    NOT NULL,
            version    bigint  NOT NULL,
            updated_at bigint  NOT NULL,
            updated_by text    NULL,
            session_id uuid    NULL REFERENCES §sessions (id) ON DELETE CASCADE,
            PRIMARY KEY (scope, scope_id, key)
        );
        CREATE INDEX ix_state_entries_session ON §state_entries (session_id) WHERE session_id IS NOT NULL;

        CREATE TABLE §session_changes (
            session_id    uuid    NOT NULL REFERENCES §sessions (id) ON DELETE CASCADE,
            version       bigint  NOT NULL,
            kind          integer NOT NULL,
            from_sequence bigint  NULL,
            to_sequence   bigint  NULL,
            state_key     text    NULL,
            author_id     text    NULL,
            changed_at    bigint  NOT NULL,
            PRIMARY KEY (session_id, version)
        );

        CREATE TABLE §session_leases (
            session_id uuid   NOT NULL PRIMARY KEY REFERENCES §sessions (id) ON DELETE CASCADE,
            holder     text   COLLATE "C" NOT NULL,
            expires_at bigint NOT NULL
        );

        CREATE TABLE §store_settings (
            name  text NOT NULL PRIMARY KEY,
            value text NOT NULL
        );

        -- BM25 statistics over every message (as FTS5 keeps them): how many messages and words, and per stem how many
        -- messages hold it. Spread over 16 shards by session so concurrent appends to different sessions rarely meet on a row.
        CREATE TABLE §search_stats (
            shard       integer NOT NULL PRIMARY KEY,
            doc_count   bigint  NOT NULL,
            token_count bigint  NOT NULL
        );
        CREATE TABLE §search_terms (
            stem      text    COLLATE "C" NOT NULL,
            shard     integer NOT NULL,
            doc_count bigint  NOT NULL,
            PRIMARY KEY (stem, shard)
        );

        -- Inserts count their words in the inserting statement itself (see PostgreSqlSessionStore.InsertRows); updates and
        -- deletes (cascades from deleted sessions included) are counted by statement-level triggers in the same transaction. Rows are touched in key order, so concurrent writers never deadlock.
        CREATE FUNCTION §search_stats_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO §search_stats AS s (shard, doc_count, token_count)
                    SELECT hashtext(session_id::text) & 15, count(*), sum(search_length) FROM new_rows GROUP BY 1 ORDER BY 1
                    ON CONFLICT (shard) DO UPDATE SET doc_count = s.doc_count + excluded.doc_count, token_count = s.token_count + excluded.token_count;
                INSERT INTO §search_terms AS t (stem, shard, doc_count)
                    SELECT lexeme, shard, count(*) FROM (SELECT unnest(tsvector_to_array(search_vector)) AS lexeme, hashtext(session_id::text) & 15 AS shard FROM new_rows) x
                    GROUP BY lexeme, shard ORDER BY lexeme, shard
                    ON CONFLICT (stem, shard) DO UPDATE SET doc_count = t.doc_count + excluded.doc_count;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO §search_stats AS s (shard, doc_count, token_count)
                    SELECT hashtext(session_id::text) & 15, -count(*), -sum(search_length) FROM old_rows GROUP BY 1 ORDER BY 1
                    ON CONFLICT (shard) DO UPDATE SET doc_count = s.doc_count + excluded.doc_count, token_count = s.token_count + excluded.token_count;
                WITH gone AS (
                    SELECT lexeme, shard, count(*) AS n FROM (SELECT unnest(tsvector_to_array(search_vector)) AS lexeme, hashtext(session_id::text) & 15 AS shard FROM old_rows) x
                    GROUP BY lexeme, shard ORDER BY lexeme, shard)
                UPDATE §search_terms t SET doc_count = t.doc_count - gone.n FROM gone WHERE t.stem = gone.lexeme AND t.shard = gone.shard;
                -- A stem nobody uses any more leaves the table too: erased words leave no trace in the statistics.
                DELETE FROM §search_terms t USING (SELECT DISTINCT unnest(tsvector_to_array(search_vector)) AS lexeme FROM old_rows) g
                    WHERE t.stem = g.lexeme AND t.doc_count <= 0;
            ELSE
                INSERT INTO §search_stats AS s (shard, doc_count, token_count)
                    SELECT shard, 0, sum(n) FROM (
                        SELECT hashtext(session_id::text) & 15 AS shard, search_length AS n FROM new_rows
                        UNION ALL SELECT hashtext(session_id::text) & 15, -search_length FROM old_rows) x
                    GROUP BY shard HAVING sum(n) <> 0 ORDER BY shard
                    ON CONFLICT (shard) DO UPDATE SET token_count = s.token_count + excluded.token_count;
                INSERT INTO §search_terms AS t (stem, shard, doc_count)
                    SELECT lexeme, shard, sum(d) FROM (
                        SELECT unnest(tsvector_to_array(search_vector)) AS lexeme, hashtext(session_id::text) & 15 AS shard, 1 AS d FROM new_rows
                        UNION ALL SELECT unnest(tsvector_to_array(search_vector)), hashtext(session_id::text) & 15, -1 FROM old_rows) x
                    GROUP BY lexeme, shard HAVING sum(d) <> 0 ORDER BY lexeme, shard
                    ON CONFLICT (stem, shard) DO UPDATE SET doc_count = t.doc_count + excluded.doc_count;
                DELETE FROM §search_terms t USING (SELECT DISTINCT unnest(tsvector_to_array(search_vector)) AS lexeme FROM old_rows) g
                    WHERE t.stem = g.lexeme AND t.doc_count <= 0;
            END IF;
            RETURN NULL;
        END
        $fn$;
        CREATE TRIGGER messages_search_delete AFTER DELETE ON §messages REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION §search_stats_apply();
        CREATE TRIGGER messages_search_update AFTER UPDATE ON §messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION §search_stats_apply();
        """,

        // 2: embedding vectors, one per message and per summary, as float32 bytea (a sealed envelope when encrypted), with the
        // model that made them and its dimensions. A semantic search reads one user's vectors of one model through
        // ix_message_embeddings_user (the owner key, as the search index uses it). Vectors go with their message or summary
        // (cascade: delete, rewind, retention, erase) and are dropped when its content or owner changes, so a stale vector
        // never ranks.
        """
        CREATE TABLE §message_embeddings (
            session_id uuid    NOT NULL,
            sequence   bigint  NOT NULL,
            user_key   text    COLLATE "C" NOT NULL,
            model      text    COLLATE "C" NOT NULL,
            message_id uuid    NOT NULL,
            role       integer NOT NULL,
            created_at bigint  NOT NULL,
            dimensions integer NOT NULL,
            vector     bytea   NOT NULL,
            PRIMARY KEY (session_id, sequence),
            FOREIGN KEY (session_id, sequence) REFERENCES §messages (session_id, sequence) ON DELETE CASCADE
        );
        CREATE INDEX ix_message_embeddings_user ON §message_embeddings (user_key, model);

        CREATE TABLE §summary_embeddings (
            session_id    uuid    NOT NULL,
            level         integer NOT NULL,
            from_sequence bigint  NOT NULL,
            user_key      text    COLLATE "C" NOT NULL,
            model         text    COLLATE "C" NOT NULL,
            dimensions    integer NOT NULL,
            vector        bytea   NOT NULL,
            PRIMARY KEY (session_id, level, from_sequence),
            FOREIGN KEY (session_id, level, from_sequence) REFERENCES §summaries (session_id, level, from_sequence) ON DELETE CASCADE
        );
        CREATE INDEX ix_summary_embeddings_user ON §summary_embeddings (user_key, model);

        CREATE FUNCTION §message_embedding_stale() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            DELETE FROM §message_embeddings WHERE session_id = old.session_id AND sequence = old.sequence;
            RETURN NULL;
        END
        $fn$;
        CREATE TRIGGER messages_embedding_stale AFTER UPDATE OF content, user_key ON §messages FOR EACH ROW
            WHEN (old.content IS DISTINCT FROM new.content OR old.user_key IS DISTINCT FROM new.user_key)
            EXECUTE FUNCTION §message_embedding_stale();
        """,

        // 3: a user's messages newest first. A search ranks the newest rows in scope whatever they match (plus every row
        // holding one of its rare words), so its work is bounded however long the history; a search of one session reads
        // them through ix_messages_session_created, a search of all of a user's sessions through this index.
        """
        CREATE INDEX ix_messages_user_created ON §messages (user_key, created_at, session_id, sequence);
        """,

        // 4: a per-user embedding version, so a store may keep a user's vectors in memory and know with one indexed read
        // whether they are still current. Every insert, update and delete of a message vector (cascades and the stale
        // trigger included, by any server) sets the owner's version to the writing transaction's id: unique for every
        // committed state, so a version seen again means the same vectors. The row goes with the user's last vector.
        // Rows are touched in user-key order, so two transactions writing several users' vectors cannot deadlock here.
        """
        CREATE TABLE §message_embedding_versions (
            user_key text   COLLATE "C" NOT NULL PRIMARY KEY,
            version  bigint NOT NULL
        );
        INSERT INTO §message_embedding_versions (user_key, version)
            SELECT user_key, txid_current() FROM §message_embeddings GROUP BY user_key ORDER BY user_key;

        CREATE FUNCTION §message_embedding_versions_touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO §message_embedding_versions AS v (user_key, version)
                    SELECT DISTINCT user_key, txid_current() FROM new_rows ORDER BY user_key
                    ON CONFLICT (user_key) DO UPDATE SET version = excluded.version;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                UPDATE §message_embedding_versions v SET version = txid_current()
                    FROM (SELECT DISTINCT user_key FROM old_rows ORDER BY user_key) o WHERE v.user_key = o.user_key;
                DELETE FROM §message_embedding_versions v
                    WHERE v.user_key IN (SELECT user_key FROM old_rows)
                    AND NOT EXISTS (SELECT 1 FROM §message_embeddings e WHERE e.user_key = v.user_key);
            END IF;
            RETURN NULL;
        END
        $fn$;
        CREATE TRIGGER message_embeddings_version_insert AFTER INSERT ON §message_embeddings REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION §message_embedding_versions_touch();
        CREATE TRIGGER message_embeddings_version_update AFTER UPDATE ON §message_embeddings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION §message_embedding_versions_touch();
        CREATE TRIGGER message_embeddings_version_delete AFTER DELETE ON §message_embeddings REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION §message_embedding_versions_touch();
        """,
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>
    /// Brings the schema up to <see cref="CurrentVersion"/> (or, with <paramref name="migrate"/> off, checks that it is there);
    /// returns the version found before.
    /// </summary>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, SqlText sql, bool migrate, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey});", cancellationToken).ConfigureAwait(false);
        int found = await ReadVersionAsync(connection, transaction, sql, migrate, cancellationToken).ConfigureAwait(false);
        if (found > CurrentVersion)
        {
            throw new SessionKitException(
                $"The SessionKit schema \"{sql.Schema}\" is at version {found}, newer than this SessionKit.PostgreSql understands ({CurrentVersion}): " +
                "a newer release of the app migrated it. Upgrade the SessionKit.PostgreSql package; this store wrote nothing.");
        }

        if (found < CurrentVersion && !migrate)
        {
            throw new SessionKitException(
                $"The SessionKit schema \"{sql.Schema}\" is at version {found}, but this SessionKit.PostgreSql needs version {CurrentVersion}, and " +
                "PostgreSqlSessionStoreOptions.MigrateOnStartup is false. Start one instance with MigrateOnStartup = true (it migrates under an advisory lock), then start the others.");
        }

        for (int version = found + 1; version <= CurrentVersion; version++)
        {
            await ExecuteAsync(connection, transaction, sql[Migrations[version - 1]], cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                transaction,
                sql[$"INSERT INTO §sessionkit_schema (id, version) VALUES (1, {version}) ON CONFLICT (id) DO UPDATE SET version = excluded.version;"],
                cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>
    /// Records on first use whether the schema is encrypted at rest, and refuses a store opened in the other mode (see the
    /// SQLite store's check: plaintext appended into an encrypted store would never open again).
    /// </summary>
    public static async Task CheckEncryptionModeAsync(NpgsqlConnection connection, SqlText sql, bool encrypted, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            sql["INSERT INTO §store_settings (name, value) VALUES ('encryption', @value) ON CONFLICT (name) DO NOTHING; SELECT value FROM §store_settings WHERE name = 'encryption';"],
            connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<string>("value", encrypted ? "on" : "off"));
        bool recorded = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) == "on";
        if (recorded != encrypted)
        {
            throw new SessionKitException(recorded
                ? $"The SessionKit schema \"{sql.Schema}\" is encrypted at rest, but this store was opened without encryption (EncryptionOptions.Enabled is false). " +
                  "Open it with EncryptionOptions.Enabled = true and its master keys; reading it without them would return ciphertext and writing would mix plaintext into it."
                : $"The SessionKit schema \"{sql.Schema}\" stores plaintext, but this store was opened with encryption at rest (EncryptionOptions.Enabled is true). " +
                  "Open it with EncryptionOptions.Enabled = false, or use another schema for an encrypted store; converting existing data is not supported.");
        }
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SqlText sql, bool migrate, CancellationToken cancellationToken)
    {
        if (migrate)
        {
            await ExecuteAsync(
                connection,
                transaction,
                $"CREATE SCHEMA IF NOT EXISTS {sql.SchemaIdentifier}; " + sql["CREATE TABLE IF NOT EXISTS §sessionkit_schema (id integer NOT NULL PRIMARY KEY CHECK (id = 1), version integer NOT NULL);"],
                cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var exists = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL;", connection, transaction);
            await using var existsScope = exists.ConfigureAwait(false);
            exists.Parameters.Add(new NpgsqlParameter<string>("name", sql["§sessionkit_schema"]));
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        var command = new NpgsqlCommand(sql["SELECT coalesce(max(version), 0) FROM §sessionkit_schema;"], connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string text, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(text, connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
