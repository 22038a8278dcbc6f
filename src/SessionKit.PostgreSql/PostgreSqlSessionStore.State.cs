using Npgsql;

namespace SessionKit.PostgreSql;

// Shared state, the change log and leases. A session-scoped state write locks the session row, bumps its version and logs
// the change in one transaction; an app- or user-scoped write serializes on a transaction advisory lock of its key (the
// entry may not exist yet, so there is no row to lock). A lease is one conditional upsert, exclusive across servers.
public sealed partial class PostgreSqlSessionStore
{
    private const string StateColumns = "scope, scope_id, key, value, version, updated_at, updated_by";

    /// <inheritdoc />
    protected override TimeSpan ChangePollInterval => _options.ChangePollInterval;

    /// <inheritdoc />
    protected override Task<StateEntry?> GetStateCoreAsync(StateScope scope, string scopeKey, string key, CancellationToken cancellationToken) =>
        ReadAsync(
            async tx =>
            {
                var entry = await FindStateAsync(tx, scope, scopeKey, key).ConfigureAwait(false);
                if (entry is null && scope == StateScope.Session)
                {
                    await EnsureSessionExistsAsync(tx, Guid.Parse(scopeKey), 0).ConfigureAwait(false);
                }

                return entry;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<StateEntry> SetStateCoreAsync(StateEntry entry, long? expectedVersion, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                string scopeKey = entry.ScopeId ?? string.Empty;
                var session = await LockStateScopeAsync(tx, entry.Scope, scopeKey, entry.Key).ConfigureAwait(false);
                long current = (await FindStateAsync(tx, entry.Scope, scopeKey, entry.Key).ConfigureAwait(false))?.Version ?? 0;
                CheckStateVersion(entry, expectedVersion, current);
                var stored = entry with { Version = current + 1 };
                await tx.ExecAsync(tx.Cmd(
                    "INSERT INTO §state_entries (" + StateColumns + ", session_id) VALUES (@scope, @scope_id, @key, @value, @version, @updated_at, @updated_by, @session_id) " +
                    "ON CONFLICT (scope, scope_id, key) DO UPDATE SET value = excluded.value, version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by;")
                    .Int("scope", (int)stored.Scope)
                    .Text("scope_id", scopeKey)
                    .Text("key", stored.Key)
                    .Text("value", stored.Value)
                    .Long("version", stored.Version)
                    .Long("updated_at", PostgresRows.Ticks(stored.UpdatedAt))
                    .Text("updated_by", stored.UpdatedBy)
                    .Uuid("session_id", session?.Id)).ConfigureAwait(false);
                if (session is not null)
                {
                    var updated = session with { Version = session.Version + 1 };
                    await StoreCountersAsync(tx, updated).ConfigureAwait(false);
                    await LogChangeAsync(tx, ChangeOf(updated, SessionChangeKind.StateSet, stored.UpdatedAt, stateKey: stored.Key, authorId: stored.UpdatedBy)).ConfigureAwait(false);
                }

                return stored;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> DeleteStateCoreAsync(StateScope scope, string scopeKey, string key, StateWriteOptions options, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                var session = await LockStateScopeAsync(tx, scope, scopeKey, key).ConfigureAwait(false);
                long current = (await FindStateAsync(tx, scope, scopeKey, key).ConfigureAwait(false))?.Version ?? 0;
                CheckStateVersion(new StateEntry { Scope = scope, ScopeId = scope == StateScope.App ? null : scopeKey, Key = key, Value = string.Empty, Version = 0, UpdatedAt = now }, options.ExpectedVersion, current);
                if (current == 0)
                {
                    return false;
                }

                await tx.ExecAsync(tx.Cmd("DELETE FROM §state_entries WHERE scope = @scope AND scope_id = @scope_id AND key = @key;")
                    .Int("scope", (int)scope)
                    .Text("scope_id", scopeKey)
                    .Text("key", key)).ConfigureAwait(false);
                if (session is not null)
                {
                    var updated = session with { Version = session.Version + 1 };
                    await StoreCountersAsync(tx, updated).ConfigureAwait(false);
                    await LogChangeAsync(tx, ChangeOf(updated, SessionChangeKind.StateDeleted, now, stateKey: key, authorId: options.UpdatedBy)).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<IReadOnlyList<StateEntry>> ListStateCoreAsync(StateScope scope, string scopeKey, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StateEntry>>(
            async tx =>
            {
                var entries = await tx.ListAsync(
                    tx.Cmd("SELECT " + StateColumns + " FROM §state_entries WHERE scope = @scope AND scope_id = @scope_id ORDER BY key;")
                        .Int("scope", (int)scope)
                        .Text("scope_id", scopeKey),
                    ReadState).ConfigureAwait(false);
                if (scope == StateScope.Session)
                {
                    await EnsureSessionExistsAsync(tx, Guid.Parse(scopeKey), entries.Count).ConfigureAwait(false);
                }

                // The "C" collation orders UTF-8 bytes; order by UTF-16 code units, as documented.
                entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
                return entries;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override async Task<IReadOnlyList<SessionChange>> GetChangesCoreAsync(Guid sessionId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        // Listening starts before the read, so a change committed after the read's snapshot is always announced to this store.
        await EnsureListeningAsync(cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<SessionChange>>(
            async tx =>
            {
                var changes = await tx.ListAsync(
                    tx.Cmd("SELECT version, kind, from_sequence, to_sequence, state_key, author_id, changed_at FROM §session_changes WHERE session_id = @session_id AND version > @after ORDER BY version LIMIT @limit;")
                        .Uuid("session_id", sessionId)
                        .Long("after", afterVersion)
                        .Int("limit", limit),
                    reader => new SessionChange
                    {
                        SessionId = sessionId,
                        Version = reader.GetInt64(0),
                        Kind = (SessionChangeKind)reader.GetInt32(1),
                        FromSequence = reader.IsDBNull(2) ? null : reader.GetInt64(2),
                        ToSequence = reader.IsDBNull(3) ? null : reader.GetInt64(3),
                        StateKey = PostgresRows.ReadNullableText(reader, 4),
                        AuthorId = PostgresRows.ReadNullableText(reader, 5),
                        ChangedAt = PostgresRows.ReadTime(reader, 6),
                    }).ConfigureAwait(false);
                await EnsureSessionExistsAsync(tx, sessionId, changes.Count).ConfigureAwait(false);
                return changes;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override Task<SessionLease?> TryAcquireLeaseCoreAsync(SessionLease lease, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx =>
            {
                await EnsureSessionExistsAsync(tx, lease.SessionId, 0).ConfigureAwait(false);

                // One statement: of servers racing for a free or lapsed lease, exactly one row version wins.
                int taken = await tx.ExecAsync(tx.Cmd(
                    "INSERT INTO §session_leases (session_id, holder, expires_at) VALUES (@session_id, @holder, @expires_at) " +
                    "ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at " +
                    "WHERE §session_leases.expires_at <= @now OR §session_leases.holder = excluded.holder;")
                    .Uuid("session_id", lease.SessionId)
                    .Text("holder", lease.Holder)
                    .Long("expires_at", PostgresRows.Ticks(lease.ExpiresAt))
                    .Long("now", PostgresRows.Ticks(now))).ConfigureAwait(false);
                return taken > 0 ? lease : null;
            },
            cancellationToken);

    /// <inheritdoc />
    protected override Task<bool> ReleaseLeaseCoreAsync(SessionLease lease, CancellationToken cancellationToken) =>
        WriteAsync(
            async tx => await tx.ExecAsync(tx.Cmd("DELETE FROM §session_leases WHERE session_id = @session_id AND holder = @holder;")
                .Uuid("session_id", lease.SessionId)
                .Text("holder", lease.Holder)).ConfigureAwait(false) > 0,
            cancellationToken);

    /// <summary>Logs a change and announces it (session id and version only) to every server listening; both take effect at commit.</summary>
    private Task<int> LogChangeAsync(Tx tx, SessionChange change)
    {
        var command = tx.Cmd(_options.UseNotifications
            ? "INSERT INTO §session_changes (session_id, version, kind, from_sequence, to_sequence, state_key, author_id, changed_at) VALUES (@session_id, @version, @kind, @from, @to, @state_key, @author_id, @changed_at); SELECT pg_notify(@channel, @payload);"
            : "INSERT INTO §session_changes (session_id, version, kind, from_sequence, to_sequence, state_key, author_id, changed_at) VALUES (@session_id, @version, @kind, @from, @to, @state_key, @author_id, @changed_at);")
            .Uuid("session_id", change.SessionId)
            .Long("version", change.Version)
            .Int("kind", (int)change.Kind)
            .Long("from", change.FromSequence)
            .Long("to", change.ToSequence)
            .Text("state_key", change.StateKey)
            .Text("author_id", change.AuthorId)
            .Long("changed_at", PostgresRows.Ticks(change.ChangedAt));
        if (_options.UseNotifications)
        {
            command.Text("channel", Channel).Text("payload", NotificationPayload(change.SessionId, change.Version));
        }

        return tx.ExecAsync(command);
    }

    // The session a session-scoped entry belongs to (locked; it must exist), or null for the app and user scopes, whose key
    // is locked for the transaction instead.
    private static async Task<Session?> LockStateScopeAsync(Tx tx, StateScope scope, string scopeKey, string key)
    {
        if (scope != StateScope.Session)
        {
            await tx.ExecAsync(tx.Cmd("SELECT pg_advisory_xact_lock(hashtextextended(@lock_key, 0));")
                .Text("lock_key", $"{(int)scope}\u001f{scopeKey}\u001f{key}")).ConfigureAwait(false);
            return null;
        }

        var sessionId = Guid.Parse(scopeKey);
        return await FindSessionAsync(tx, sessionId, forUpdate: true).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
    }

    private static Task<StateEntry?> FindStateAsync(Tx tx, StateScope scope, string scopeKey, string key) =>
        tx.FirstAsync(
            tx.Cmd("SELECT " + StateColumns + " FROM §state_entries WHERE scope = @scope AND scope_id = @scope_id AND key = @key;")
                .Int("scope", (int)scope)
                .Text("scope_id", scopeKey)
                .Text("key", key),
            ReadState);

    private static StateEntry ReadState(NpgsqlDataReader reader)
    {
        var scope = (StateScope)reader.GetInt32(0);
        return new StateEntry
        {
            Scope = scope,
            ScopeId = scope == StateScope.App ? null : PostgresRows.ReadText(reader, 1),
            Key = PostgresRows.ReadText(reader, 2),
            Value = PostgresRows.ReadText(reader, 3),
            Version = reader.GetInt64(4),
            UpdatedAt = PostgresRows.ReadTime(reader, 5),
            UpdatedBy = PostgresRows.ReadNullableText(reader, 6),
        };
    }
}
