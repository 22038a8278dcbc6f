namespace SessionKit;

// Shared state, the change log and leases. App and user entries live in one dictionary under one lock; session entries,
// changes and the lease live with their session, under its lock, so a session-scoped write and its version bump are one step.
public sealed partial class InMemorySessionStore
{
    private readonly Dictionary<(StateScope Scope, string ScopeKey), Dictionary<string, StateEntry>> _sharedState = [];

    /// <inheritdoc />
    protected override Task<StateEntry?> GetStateCoreAsync(StateScope scope, string scopeKey, string key, CancellationToken cancellationToken) =>
        Task.FromResult(WithState(scope, scopeKey, entries => entries.GetValueOrDefault(key)));

    /// <inheritdoc />
    protected override Task<StateEntry> SetStateCoreAsync(StateEntry entry, long? expectedVersion, CancellationToken cancellationToken) =>
        Task.FromResult(WithState(entry.Scope, entry.ScopeId ?? string.Empty, (entries, session) =>
        {
            long current = entries.TryGetValue(entry.Key, out var existing) ? existing.Version : 0;
            CheckStateVersion(entry, expectedVersion, current);
            var stored = entry with { Version = current + 1 };
            entries[entry.Key] = stored;
            if (session is not null)
            {
                var updated = session.Session with { Version = session.Session.Version + 1 };
                session.Session = updated;
                session.Changes.Add(ChangeOf(updated, SessionChangeKind.StateSet, entry.UpdatedAt, stateKey: entry.Key, authorId: entry.UpdatedBy));
            }

            return stored;
        }));

    /// <inheritdoc />
    protected override Task<bool> DeleteStateCoreAsync(StateScope scope, string scopeKey, string key, StateWriteOptions options, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(WithState(scope, scopeKey, (entries, session) =>
        {
            long current = entries.TryGetValue(key, out var existing) ? existing.Version : 0;
            CheckStateVersion(new StateEntry { Scope = scope, ScopeId = scope == StateScope.App ? null : scopeKey, Key = key, Value = string.Empty, Version = 0, UpdatedAt = now }, options.ExpectedVersion, current);
            if (!entries.Remove(key))
            {
                return false;
            }

            if (session is not null)
            {
                var updated = session.Session with { Version = session.Session.Version + 1 };
                session.Session = updated;
                session.Changes.Add(ChangeOf(updated, SessionChangeKind.StateDeleted, now, stateKey: key, authorId: options.UpdatedBy));
            }

            return true;
        }));

    /// <inheritdoc />
    protected override Task<IReadOnlyList<StateEntry>> ListStateCoreAsync(StateScope scope, string scopeKey, CancellationToken cancellationToken) =>
        Task.FromResult(WithState(scope, scopeKey, entries => (IReadOnlyList<StateEntry>)entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray()));

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionChange>> GetChangesCoreAsync(Guid sessionId, long afterVersion, int limit, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);

            // Versions in the log increase, so the first change after the bound is found by binary search.
            var changes = entry.Changes;
            int lo = 0;
            int hi = changes.Count;
            while (lo < hi)
            {
                int mid = lo + ((hi - lo) / 2);
                if (changes[mid].Version <= afterVersion)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            IReadOnlyList<SessionChange> page = changes.GetRange(lo, Math.Min(limit, changes.Count - lo));
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    protected override Task<SessionLease?> TryAcquireLeaseCoreAsync(SessionLease lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = GetEntry(lease.SessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(lease.SessionId);
            if (entry.Lease is { } held && held.ExpiresAt > now && !string.Equals(held.Holder, lease.Holder, StringComparison.Ordinal))
            {
                return Task.FromResult<SessionLease?>(null);
            }

            entry.Lease = lease;
            return Task.FromResult<SessionLease?>(lease);
        }
    }

    /// <inheritdoc />
    protected override Task<bool> ReleaseLeaseCoreAsync(SessionLease lease, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(lease.SessionId, out var entry))
        {
            return Task.FromResult(false);
        }

        lock (entry.Gate)
        {
            if (entry.Lease is not { } held || !string.Equals(held.Holder, lease.Holder, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            entry.Lease = null;
            return Task.FromResult(true);
        }
    }

    private T WithState<T>(StateScope scope, string scopeKey, Func<Dictionary<string, StateEntry>, T> read) =>
        WithState(scope, scopeKey, (entries, _) => read(entries));

    // Runs work on a scope's entries under the right lock: the session's for the session scope (with the session passed),
    // the shared dictionary's otherwise.
    private T WithState<T>(StateScope scope, string scopeKey, Func<Dictionary<string, StateEntry>, SessionEntry?, T> work)
    {
        if (scope == StateScope.Session)
        {
            var sessionId = Guid.Parse(scopeKey);
            var entry = GetEntry(sessionId);
            lock (entry.Gate)
            {
                entry.ThrowIfDeleted(sessionId);
                return work(entry.State, entry);
            }
        }

        lock (_sharedState)
        {
            if (!_sharedState.TryGetValue((scope, scopeKey), out var entries))
            {
                entries = new Dictionary<string, StateEntry>(StringComparer.Ordinal);
                _sharedState.Add((scope, scopeKey), entries);
            }

            return work(entries, null);
        }
    }
}
