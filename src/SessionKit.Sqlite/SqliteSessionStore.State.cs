using Microsoft.Data.Sqlite;

namespace SessionKit.Sqlite;

// Shared state, the change log and leases, each write one IMMEDIATE transaction: a session-scoped state write bumps the
// session's version and logs its change atomically; a lease is taken by one conditional upsert, so processes sharing the
// file exclude each other through the database.
public sealed partial class SqliteSessionStore
{
    private const string StateColumns = "scope, scope_id, key, value, version, updated_at, updated_by";

    /// <inheritdoc />
    protected override object SignalScope => DataSource;

    /// <inheritdoc />
    protected override TimeSpan ChangePollInterval => _options.ChangePollInterval;

    /// <inheritdoc />
    protected override Task<StateEntry?> GetStateCoreAsync(StateScope scope, string scopeKey, string key, CancellationToken cancellationToken) =>
        ReadAsync(
            (scope, scopeKey, key),
            static (connection, transaction, state) =>
            {
                var (scope, scopeKey, key) = state;
                var entry = FindState(connection, transaction, scope, scopeKey, key);
                if (entry is null && scope == StateScope.Session)
                {
                    EnsureSessionExists(connection, transaction, Guid.Parse(scopeKey), 0);
                }

                return entry;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<StateEntry> SetStateCoreAsync(StateEntry entry, long? expectedVersion, CancellationToken cancellationToken) =>
        WriteAsync(
            (entry, expectedVersion),
            static (connection, transaction, state) =>
            {
                var (entry, expectedVersion) = state;
                string scopeKey = entry.ScopeId ?? string.Empty;
                var session = SessionOfScope(connection, transaction, entry.Scope, scopeKey);
                long current = FindState(connection, transaction, entry.Scope, scopeKey, entry.Key)?.Version ?? 0;
                CheckStateVersion(entry, expectedVersion, current);
                var stored = entry with { Version = current + 1 };
                var upsert = connection.Command(
                    "INSERT INTO state_entries (" + StateColumns + ", session_id) VALUES ($scope, $scope_id, $key, $value, $version, $updated_at, $updated_by, $session_id) " +
                    "ON CONFLICT (scope, scope_id, key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by;",
                    transaction);
                upsert.Parameters.AddWithValue("$scope", (int)stored.Scope);
                upsert.Parameters.AddWithValue("$scope_id", scopeKey);
                upsert.Parameters.AddWithValue("$key", stored.Key);
                upsert.Parameters.AddWithValue("$value", stored.Value);
                upsert.Parameters.AddWithValue("$version", stored.Version);
                upsert.Parameters.AddWithValue("$updated_at", SqliteRows.Ticks(stored.UpdatedAt));
                upsert.Parameters.AddWithValue("$updated_by", (object?)stored.UpdatedBy ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$session_id", session is null ? DBNull.Value : SqliteRows.Id(session.Id));
                upsert.ExecuteNonQuery();
                if (session is not null)
                {
                    var updated = session with { Version = session.Version + 1 };
                    StoreCounters(connection, transaction, updated);
                    LogChange(connection, transaction, ChangeOf(updated, SessionChangeKind.StateSet, stored.UpdatedAt, stateKey: stored.Key, authorId: stored.UpdatedBy));
                }

                return stored;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> DeleteStateCoreAsync(StateScope scope, string scopeKey, string key, StateWriteOptions options, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            (scope, scopeKey, key, options, now),
            static (connection, transaction, state) =>
            {
                var (scope, scopeKey, key, options, now) = state;
                var session = SessionOfScope(connection, transaction, scope, scopeKey);
                long current = FindState(connection, transaction, scope, scopeKey, key)?.Version ?? 0;
                CheckStateVersion(new StateEntry { Scope = scope, ScopeId = scope == StateScope.App ? null : scopeKey, Key = key, Value = string.Empty, Version = 0, UpdatedAt = now }, options.ExpectedVersion, current);
                if (current == 0)
                {
                    return false;
                }

                var delete = connection.Command("DELETE FROM state_entries WHERE scope = $scope AND scope_id = $scope_id AND key = $key;", transaction);
                delete.Parameters.AddWithValue("$scope", (int)scope);
                delete.Parameters.AddWithValue("$scope_id", scopeKey);
                delete.Parameters.AddWithValue("$key", key);
                delete.ExecuteNonQuery();
                if (session is not null)
                {
                    var updated = session with { Version = session.Version + 1 };
                    StoreCounters(connection, transaction, updated);
                    LogChange(connection, transaction, ChangeOf(updated, SessionChangeKind.StateDeleted, now, stateKey: key, authorId: options.UpdatedBy));
                }

                return true;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<StateEntry>> ListStateCoreAsync(StateScope scope, string scopeKey, CancellationToken cancellationToken) =>
        ReadAsync(
            (scope, scopeKey),
            static (connection, transaction, state) =>
            {
                var (scope, scopeKey) = state;
                var command = connection.Command("SELECT " + StateColumns + " FROM state_entries WHERE scope = $scope AND scope_id = $scope_id ORDER BY key;", transaction);
                command.Parameters.AddWithValue("$scope", (int)scope);
                command.Parameters.AddWithValue("$scope_id", scopeKey);
                var entries = new List<StateEntry>();
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        entries.Add(ReadState(reader));
                    }
                }

                if (scope == StateScope.Session)
                {
                    EnsureSessionExists(connection, transaction, Guid.Parse(scopeKey), entries.Count);
                }

                // SQLite's default BINARY collation orders UTF-8 bytes; order by UTF-16 code units, as documented.
                entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                return (IReadOnlyList<StateEntry>)entries;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionChange>> GetChangesCoreAsync(Guid sessionId, long afterVersion, int limit, CancellationToken cancellationToken) =>
        ReadAsync(
            (sessionId, afterVersion, limit),
            static (connection, transaction, state) =>
            {
                var (sessionId, afterVersion, limit) = state;
                var command = connection.Command(
                    "SELECT version, kind, from_sequence, to_sequence, state_key, author_id, changed_at FROM session_changes WHERE session_id = $session_id AND version > $after ORDER BY version LIMIT $limit;",
                    transaction);
                command.Parameters.AddWithValue("$session_id", SqliteRows.Id(sessionId));
                command.Parameters.AddWithValue("$after", afterVersion);
                command.Parameters.AddWithValue("$limit", limit);
                var changes = new List<SessionChange>();
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        changes.Add(new SessionChange
                        {
                            SessionId = sessionId,
                            Version = reader.GetInt64(0),
                            Kind = (SessionChangeKind)reader.GetInt32(1),
                            FromSequence = reader.IsDBNull(2) ? null : reader.GetInt64(2),
                            ToSequence = reader.IsDBNull(3) ? null : reader.GetInt64(3),
                            StateKey = reader.IsDBNull(4) ? null : reader.GetString(4),
                            AuthorId = reader.IsDBNull(5) ? null : reader.GetString(5),
                            ChangedAt = new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero),
                        });
                    }
                }

                EnsureSessionExists(connection, transaction, sessionId, changes.Count);
                return (IReadOnlyList<SessionChange>)changes;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<SessionLease?> TryAcquireLeaseCoreAsync(SessionLease lease, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            (lease, now),
            static (connection, transaction, state) =>
            {
                var (lease, now) = state;
                EnsureSessionExists(connection, transaction, lease.SessionId, 0);
                var upsert = connection.Command(
                    "INSERT INTO session_leases (session_id, holder, expires_at) VALUES ($session_id, $holder, $expires_at) " +
                    "ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at " +
                    "WHERE session_leases.expires_at <= $now OR session_leases.holder = excluded.holder;",
                    transaction);
                upsert.Parameters.AddWithValue("$session_id", SqliteRows.Id(lease.SessionId));
                upsert.Parameters.AddWithValue("$holder", lease.Holder);
                upsert.Parameters.AddWithValue("$expires_at", SqliteRows.Ticks(lease.ExpiresAt));
                upsert.Parameters.AddWithValue("$now", SqliteRows.Ticks(now));
                return upsert.ExecuteNonQuery() > 0 ? lease : null;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> ReleaseLeaseCoreAsync(SessionLease lease, CancellationToken cancellationToken) =>
        WriteAsync(
            lease,
            static (connection, transaction, lease) =>
            {
                var delete = connection.Command("DELETE FROM session_leases WHERE session_id = $session_id AND holder = $holder;", transaction);
                delete.Parameters.AddWithValue("$session_id", SqliteRows.Id(lease.SessionId));
                delete.Parameters.AddWithValue("$holder", lease.Holder);
                return delete.ExecuteNonQuery() > 0;
            },
            cancellationToken);

    private static void LogChange(StoreConnection connection, SqliteTransaction transaction, SessionChange change)
    {
        var insert = connection.Prepared(
            "INSERT INTO session_changes (session_id, version, kind, from_sequence, to_sequence, state_key, author_id, changed_at) VALUES ($session_id, $version, $kind, $from, $to, $state_key, $author_id, $changed_at);",
            transaction,
            "$session_id",
            "$version",
            "$kind",
            "$from",
            "$to",
            "$state_key",
            "$author_id",
            "$changed_at");
        var parameters = insert.Parameters;
        parameters[0].Value = SqliteRows.Id(change.SessionId);
        parameters[1].Value = change.Version;
        parameters[2].Value = (int)change.Kind;
        parameters[3].Value = (object?)change.FromSequence ?? DBNull.Value;
        parameters[4].Value = (object?)change.ToSequence ?? DBNull.Value;
        parameters[5].Value = (object?)change.StateKey ?? DBNull.Value;
        parameters[6].Value = (object?)change.AuthorId ?? DBNull.Value;
        parameters[7].Value = SqliteRows.Ticks(change.ChangedAt);
        insert.ExecuteNonQuery();
    }

    // The session a session-scoped entry belongs to (which must exist), or null for the app and user scopes.
    private static Session? SessionOfScope(StoreConnection connection, SqliteTransaction transaction, StateScope scope, string scopeKey)
    {
        if (scope != StateScope.Session)
        {
            return null;
        }

        var sessionId = Guid.Parse(scopeKey);
        return FindSession(connection, transaction, sessionId) ?? throw new SessionNotFoundException(sessionId);
    }

    private static StateEntry? FindState(StoreConnection connection, SqliteTransaction transaction, StateScope scope, string scopeKey, string key)
    {
        var command = connection.Command("SELECT " + StateColumns + " FROM state_entries WHERE scope = $scope AND scope_id = $scope_id AND key = $key;", transaction);
        command.Parameters.AddWithValue("$scope", (int)scope);
        command.Parameters.AddWithValue("$scope_id", scopeKey);
        command.Parameters.AddWithValue("$key", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadState(reader) : null;
    }

    private static StateEntry ReadState(SqliteDataReader reader)
    {
        var scope = (StateScope)reader.GetInt32(0);
        return new StateEntry
        {
            Scope = scope,
            ScopeId = scope == StateScope.App ? null : reader.GetString(1),
            Key = reader.GetString(2),
            Value = reader.GetString(3),
            Version = reader.GetInt64(4),
            UpdatedAt = new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
            UpdatedBy = reader.IsDBNull(6) ? null : reader.GetString(6),
        };
    }
}
