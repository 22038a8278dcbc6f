using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace SessionKit.Storage;

// Shared state, the change feed, leases and turns: validation, the temp scope and in-process wake-ups here; persistence in the backends.
public abstract partial class SessionStore : ISessionStateStore, ISessionLeaseStore
{
    // Wake-ups for change-feed watchers and turn waiters, process-wide so that store instances over one SQLite file wake each
    // other; other processes are reached by polling (ChangePollInterval). Keyed by SignalScope, session and purpose.
    private static readonly ConcurrentDictionary<(object Scope, Guid SessionId, bool Lease), TaskCompletionSource> Signals = new();

    private static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<Guid, Dictionary<string, StateEntry>> _temp = new();

    /// <summary>
    /// What identifies the data this store sees, for in-process wake-ups: stores with equal scopes (instances over one database
    /// file) wake each other's watchers and waiting turns. The default is the instance itself.
    /// </summary>
    protected virtual object SignalScope => this;

    /// <summary>
    /// How often a change-feed watcher or a waiting turn re-reads the store when not woken in-process; <see cref="Timeout.InfiniteTimeSpan"/>
    /// (the default) when every writer is in this process. Timed on the store's <see cref="System.TimeProvider"/>.
    /// </summary>
    protected virtual TimeSpan ChangePollInterval => Timeout.InfiniteTimeSpan;

    /// <inheritdoc />
    public async Task<StateEntry?> GetStateAsync(StateScope scope, string? scopeId, string key, CancellationToken cancellationToken = default)
    {
        string scopeKey = ValidateStateAddress(scope, scopeId, key);
        ThrowIfUnusable(cancellationToken);
        if (scope != StateScope.Temp)
        {
            var stored = await GetStateCoreAsync(scope, scopeKey, key, cancellationToken).ConfigureAwait(false);
            return stored is null || !IsEncrypted ? stored : await OpenStateAsync(stored, scopeKey, cancellationToken).ConfigureAwait(false);
        }

        var entries = await TempEntriesAsync(scopeKey, cancellationToken).ConfigureAwait(false);
        lock (entries)
        {
            return entries.GetValueOrDefault(key);
        }
    }

    /// <inheritdoc />
    public async Task<StateEntry> SetStateAsync(StateScope scope, string? scopeId, string key, string value, StateWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        string scopeKey = ValidateStateAddress(scope, scopeId, key);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > Limits.MaxContentLength)
        {
            throw new ArgumentException($"The value has {value.Length} characters; the limit is {Limits.MaxContentLength} (SessionLimits.MaxContentLength).", nameof(value));
        }

        if (!IsWellFormed(value))
        {
            throw new ArgumentException("The value has an unpaired surrogate; it is not valid Unicode.", nameof(value));
        }

        options = ValidateStateWrite(options);
        ThrowIfUnusable(cancellationToken);
        var entry = new StateEntry
        {
            Scope = scope,
            ScopeId = scope == StateScope.App ? null : scopeKey,
            Key = key,
            Value = value,
            Version = 0,
            UpdatedAt = Now(),
            UpdatedBy = options.UpdatedBy,
        };
        if (scope == StateScope.Temp)
        {
            var entries = await TempEntriesAsync(scopeKey, cancellationToken).ConfigureAwait(false);
            lock (entries)
            {
                long current = entries.TryGetValue(key, out var existing) ? existing.Version : 0;
                CheckStateVersion(entry, options.ExpectedVersion, current);
                var stored = entry with { Version = current + 1 };
                entries[key] = stored;
                return stored;
            }
        }

        var toStore = IsEncrypted ? entry with { Value = await SealStateAsync(entry, scopeKey, cancellationToken).ConfigureAwait(false) } : entry;
        var result = await SetStateCoreAsync(toStore, options.ExpectedVersion, cancellationToken).ConfigureAwait(false);
        if (scope == StateScope.Session)
        {
            Pulse(Guid.Parse(scopeKey), lease: false);
        }

        return IsEncrypted ? result with { Value = value } : result;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteStateAsync(StateScope scope, string? scopeId, string key, StateWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        string scopeKey = ValidateStateAddress(scope, scopeId, key);
        options = ValidateStateWrite(options);
        ThrowIfUnusable(cancellationToken);
        if (scope == StateScope.Temp)
        {
            var entries = await TempEntriesAsync(scopeKey, cancellationToken).ConfigureAwait(false);
            lock (entries)
            {
                long current = entries.TryGetValue(key, out var existing) ? existing.Version : 0;
                CheckStateVersion(new StateEntry { Scope = scope, ScopeId = scopeKey, Key = key, Value = string.Empty, Version = 0, UpdatedAt = default }, options.ExpectedVersion, current);
                return entries.Remove(key);
            }
        }

        bool deleted = await DeleteStateCoreAsync(scope, scopeKey, key, options, Now(), cancellationToken).ConfigureAwait(false);
        if (deleted && scope == StateScope.Session)
        {
            Pulse(Guid.Parse(scopeKey), lease: false);
        }

        return deleted;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StateEntry>> ListStateAsync(StateScope scope, string? scopeId, CancellationToken cancellationToken = default)
    {
        string scopeKey = ValidateStateScope(scope, scopeId);
        ThrowIfUnusable(cancellationToken);
        if (scope != StateScope.Temp)
        {
            var stored = await ListStateCoreAsync(scope, scopeKey, cancellationToken).ConfigureAwait(false);
            if (!IsEncrypted)
            {
                return stored;
            }

            var opened = new StateEntry[stored.Count];
            for (int i = 0; i < opened.Length; i++)
            {
                opened[i] = await OpenStateAsync(stored[i], scopeKey, cancellationToken).ConfigureAwait(false);
            }

            return opened;
        }

        var entries = await TempEntriesAsync(scopeKey, cancellationToken).ConfigureAwait(false);
        lock (entries)
        {
            return entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SessionChange> WatchChangesAsync(Guid sessionId, long afterVersion, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterVersion);
        ThrowIfUnusable(cancellationToken);
        return WatchIterator(sessionId, afterVersion, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SessionLease?> TryAcquireLeaseAsync(Guid sessionId, string holder, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        ValidateId(holder, nameof(holder));
        ValidateLeaseDuration(ttl, nameof(ttl));
        ThrowIfUnusable(cancellationToken);
        var now = Now();
        return TryAcquireLeaseCoreAsync(new SessionLease(sessionId, holder, now + ttl), now, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> ReleaseLeaseAsync(SessionLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ValidateSessionId(lease.SessionId);
        ValidateId(lease.Holder, nameof(lease));
        ThrowIfUnusable(cancellationToken);
        bool released = await ReleaseLeaseCoreAsync(lease, cancellationToken).ConfigureAwait(false);
        Pulse(lease.SessionId, lease: true);
        return released;
    }

    /// <inheritdoc />
    public async Task<SessionTurn> BeginTurnAsync(Guid sessionId, TurnOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateSessionId(sessionId);
        options ??= new TurnOptions();
        if (options.Timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Timeout, "TurnOptions.Timeout must not be negative.");
        }

        ValidateLeaseDuration(options.LeaseDuration, nameof(options));
        ThrowIfUnusable(cancellationToken);

        var start = TimeProvider.GetTimestamp();
        string holder = "turn:" + Guid.CreateVersion7(Now()).ToString("N");
        var backoff = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            // Take the wake-up before trying, so a release between the attempt and the wait is not missed.
            var released = Signal(sessionId, lease: true);
            var waited = TimeProvider.GetElapsedTime(start);
            var now = Now();
            var lease = await TryAcquireLeaseCoreAsync(new SessionLease(sessionId, holder, now + options.LeaseDuration), now, cancellationToken).ConfigureAwait(false);
            if (lease is not null)
            {
                return new SessionTurn(this, lease);
            }

            // Judged by when the attempt started: the session was busy then, whatever the clock says after the round trip.
            var remaining = options.Timeout - waited;
            if (remaining <= TimeSpan.Zero)
            {
                throw new SessionTurnTimeoutException(sessionId, options.Timeout);
            }

            // Released in this process: woken at once. Released elsewhere, or lapsed: found by the next attempt.
            var wait = backoff < remaining ? backoff : remaining;
            await WaitAsync(released, wait, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));
        }
    }

    /// <summary>Reads a persisted (app, user or session) entry; for the session scope, throws <see cref="SessionNotFoundException"/> for an unknown session.</summary>
    /// <param name="scope">Not <see cref="StateScope.Temp"/>.</param>
    /// <param name="scopeKey">"" for the app scope, the user id, or the session id in "D" format.</param>
    /// <param name="key">A validated key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    protected abstract Task<StateEntry?> GetStateCoreAsync(StateScope scope, string scopeKey, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="entry"/> atomically at the existing version + 1 (1 when new), after <see cref="CheckStateVersion"/>.
    /// A session-scoped write also increments the session's version and logs a <see cref="SessionChangeKind.StateSet"/> change
    /// in the same transaction, and throws <see cref="SessionNotFoundException"/> for an unknown session.
    /// </summary>
    /// <param name="entry">The entry, with <see cref="StateEntry.Version"/> 0 and the time set.</param>
    /// <param name="expectedVersion">The compare-and-set condition.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored entry.</returns>
    protected abstract Task<StateEntry> SetStateCoreAsync(StateEntry entry, long? expectedVersion, CancellationToken cancellationToken);

    /// <summary>Deletes a persisted entry like <see cref="SetStateCoreAsync"/> writes one (a session-scoped deletion logs <see cref="SessionChangeKind.StateDeleted"/>).</summary>
    /// <param name="scope">Not <see cref="StateScope.Temp"/>.</param>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="key">A validated key.</param>
    /// <param name="options">The compare-and-set condition and the writer.</param>
    /// <param name="now">The time of the deletion.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the entry existed.</returns>
    protected abstract Task<bool> DeleteStateCoreAsync(StateScope scope, string scopeKey, string key, StateWriteOptions options, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Lists a persisted scope's entries by key (ordinal).</summary>
    /// <param name="scope">Not <see cref="StateScope.Temp"/>.</param>
    /// <param name="scopeKey">The scope key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entries.</returns>
    protected abstract Task<IReadOnlyList<StateEntry>> ListStateCoreAsync(StateScope scope, string scopeKey, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="limit"/> logged changes after a version, oldest first; throws <see cref="SessionNotFoundException"/> for an unknown session.</summary>
    /// <param name="sessionId">A non-empty id.</param>
    /// <param name="afterVersion">Zero or more.</param>
    /// <param name="limit">At least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changes.</returns>
    protected abstract Task<IReadOnlyList<SessionChange>> GetChangesCoreAsync(Guid sessionId, long afterVersion, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically stores <paramref name="lease"/> unless another holder's lease on the session expires after <paramref name="now"/>;
    /// throws <see cref="SessionNotFoundException"/> for an unknown session.
    /// </summary>
    /// <param name="lease">The lease wanted.</param>
    /// <param name="now">The time of the attempt.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lease, or <see langword="null"/> when another holder has it.</returns>
    protected abstract Task<SessionLease?> TryAcquireLeaseCoreAsync(SessionLease lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the session's lease if <see cref="SessionLease.Holder"/> still holds it.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was held.</returns>
    protected abstract Task<bool> ReleaseLeaseCoreAsync(SessionLease lease, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="StateConcurrencyException"/> when <paramref name="expectedVersion"/> is set and differs from <paramref name="actualVersion"/> (0: absent).</summary>
    /// <param name="entry">The entry being written (for the message).</param>
    /// <param name="expectedVersion">The condition.</param>
    /// <param name="actualVersion">The stored version, 0 when absent.</param>
    protected static void CheckStateVersion(StateEntry entry, long? expectedVersion, long actualVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (expectedVersion is { } expected && expected != actualVersion)
        {
            throw new StateConcurrencyException(entry.Scope, entry.ScopeId, entry.Key, expected, actualVersion);
        }
    }

    /// <summary>The change record for <paramref name="updated"/>'s new version.</summary>
    /// <param name="updated">The session after the change.</param>
    /// <param name="kind">What changed.</param>
    /// <param name="at">When.</param>
    /// <param name="fromSequence">The first sequence concerned.</param>
    /// <param name="toSequence">The last sequence concerned.</param>
    /// <param name="stateKey">The state key concerned.</param>
    /// <param name="authorId">Who made the change.</param>
    /// <returns>The change to log.</returns>
    protected static SessionChange ChangeOf(Session updated, SessionChangeKind kind, DateTimeOffset at, long? fromSequence = null, long? toSequence = null, string? stateKey = null, string? authorId = null)
    {
        ArgumentNullException.ThrowIfNull(updated);
        return new SessionChange
        {
            SessionId = updated.Id,
            Version = updated.Version,
            Kind = kind,
            FromSequence = fromSequence,
            ToSequence = toSequence,
            StateKey = stateKey,
            AuthorId = authorId,
            ChangedAt = at,
        };
    }

    /// <summary>The change record of an append.</summary>
    /// <param name="result">The append's result.</param>
    /// <returns>The change to log.</returns>
    protected static SessionChange ChangeOf(AppendResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return ChangeOf(result.Session, SessionChangeKind.MessagesAppended, result.Session.LastActivityAt, result.Messages[0].Sequence, result.Messages[^1].Sequence, authorId: result.Messages[0].AuthorId);
    }

    /// <summary>Wakes this process's watchers of a session's changes after a write through a backend-specific path.</summary>
    /// <param name="sessionId">The session that changed.</param>
    protected void NotifyChanged(Guid sessionId) => Pulse(sessionId, lease: false);

    private async Task<T> NotifyAfter<T>(Task<T> write, Guid sessionId)
    {
        var result = await write.ConfigureAwait(false);
        Pulse(sessionId, lease: false);
        return result;
    }

    private async Task<bool> ForgetTempAfter(Task<bool> delete, Guid sessionId)
    {
        bool deleted = await delete.ConfigureAwait(false);
        _temp.TryRemove(sessionId, out _);
        Pulse(sessionId, lease: false);
        return deleted;
    }

    private async IAsyncEnumerable<SessionChange> WatchIterator(Guid sessionId, long afterVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int Page = 256;
        while (true)
        {
            ThrowIfUnusable(cancellationToken);
            var changed = Signal(sessionId, lease: false);
            var changes = await GetChangesCoreAsync(sessionId, afterVersion, Page, cancellationToken).ConfigureAwait(false);
            foreach (var change in changes)
            {
                afterVersion = change.Version;
                yield return change;
            }

            if (changes.Count < Page)
            {
                await WaitAsync(changed, ChangePollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitAsync(TaskCompletionSource signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, TimeProvider, stop.Token);
        var cancelled = Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        await Task.WhenAny(signal.Task, delay, cancelled).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private TaskCompletionSource Signal(Guid sessionId, bool lease) =>
        Signals.GetOrAdd((SignalScope, sessionId, lease), static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Pulse(Guid sessionId, bool lease)
    {
        if (Signals.TryRemove((SignalScope, sessionId, lease), out var signal))
        {
            signal.TrySetResult();
        }
    }

    // Temp entries belong to an existing session; the check reads the backend, the entries live here.
    private async Task<Dictionary<string, StateEntry>> TempEntriesAsync(string scopeKey, CancellationToken cancellationToken)
    {
        var sessionId = Guid.Parse(scopeKey);
        _ = await FindSessionCoreAsync(sessionId, cancellationToken).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);
        return _temp.GetOrAdd(sessionId, static _ => new Dictionary<string, StateEntry>(StringComparer.Ordinal));
    }

    private string ValidateStateAddress(StateScope scope, string? scopeId, string key)
    {
        // Every backend reports a missing key the same way (SQLite's driver would say "Value must be set.").
        ArgumentNullException.ThrowIfNull(key);
        ValidateId(key, nameof(key));
        return ValidateStateScope(scope, scopeId);
    }

    private string ValidateStateScope(StateScope scope, string? scopeId)
    {

        switch (scope)
        {
            case StateScope.App:
                if (scopeId is not null)
                {
                    throw new ArgumentException("The app scope has no scope id; pass null.", nameof(scopeId));
                }

                return string.Empty;
            case StateScope.User:
                ArgumentNullException.ThrowIfNull(scopeId);
                ValidateId(scopeId, nameof(scopeId));
                return scopeId;
            case StateScope.Session:
            case StateScope.Temp:
                if (!Guid.TryParse(scopeId, out var sessionId) || sessionId == Guid.Empty)
                {
                    throw new ArgumentException($"The {scope} scope's id must be a session id (a non-empty GUID).", nameof(scopeId));
                }

                return sessionId.ToString("D");
            default:
                throw new ArgumentOutOfRangeException(nameof(scope), scope, "Not a defined StateScope.");
        }
    }

    private StateWriteOptions ValidateStateWrite(StateWriteOptions? options)
    {
        options ??= new StateWriteOptions();
        if (options.ExpectedVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExpectedVersion, "StateWriteOptions.ExpectedVersion must be 0 (must not exist) or more.");
        }

        if (options.UpdatedBy is { } by)
        {
            if (string.IsNullOrWhiteSpace(by) || !IsWellFormed(by) || by.Length > Limits.MaxIdLength)
            {
                throw new ArgumentException($"StateWriteOptions.UpdatedBy must be a non-blank, well-formed id of at most {Limits.MaxIdLength} characters; use null for none.", nameof(options));
            }
        }

        return options;
    }

    private static void ValidateLeaseDuration(TimeSpan duration, string paramName)
    {
        if (duration <= TimeSpan.Zero || duration > MaxLeaseDuration)
        {
            throw new ArgumentOutOfRangeException(paramName, duration, $"A lease lasts more than zero and at most {MaxLeaseDuration}.");
        }
    }
}
