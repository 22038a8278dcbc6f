using System.Collections.Concurrent;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// A thread-safe store that keeps everything in process memory, with the same semantics as the persistent backends.
/// Suitable for tests and for single-process apps that accept losing history on restart.
/// </summary>
/// <remarks>
/// Each session has its own lock, so appends to different sessions run in parallel; a user's listing index has another.
/// Locks are always taken session first, then user index or search index, so they cannot deadlock. Search keeps an
/// inverted index per user (see <see cref="SearchIndex"/>) that appends and deletions update under the session's lock,
/// so a search sees a whole append or none of it.
/// </remarks>
public sealed partial class InMemorySessionStore : SessionStore
{
    private readonly ConcurrentDictionary<Guid, SessionEntry> _sessions = new();
    private readonly ConcurrentDictionary<string, UserIndex> _users = new(StringComparer.Ordinal);
    private readonly SearchIndex _search = new();

    /// <summary>Creates an empty store.</summary>
    /// <param name="limits">Size limits; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="tokenCounter">Counts each message's tokens at append; <see langword="null"/> for <see cref="SharpTokenCounter.Default"/>.</param>
    /// <param name="masterKeys">The master keys to encrypt with (see <see cref="EncryptionOptions"/>); <see langword="null"/> to keep plaintext.</param>
    public InMemorySessionStore(SessionLimits? limits = null, TimeProvider? timeProvider = null, ITokenCounter? tokenCounter = null, IMasterKeyProvider? masterKeys = null)
        : base(limits, timeProvider, tokenCounter, masterKeys)
    {
    }

    /// <summary>Reports <c>sessionkit.in_memory</c> as <c>db.system.name</c> (OpenTelemetry has no well-known value for an in-process store).</summary>
    protected override string DatabaseSystemName => "sessionkit.in_memory";

    /// <inheritdoc />
    protected override Task<Session> CreateSessionCoreAsync(Session session, CancellationToken cancellationToken)
    {
        if (session.ContinuesFromSessionId is not { } previousId)
        {
            return Task.FromResult(Add(session));
        }

        // Holding the previous session's gate keeps a concurrent delete from slipping between the check and the insert.
        if (!_sessions.TryGetValue(previousId, out var previous))
        {
            throw ContinuesFromMismatch(previousId);
        }

        lock (previous.Gate)
        {
            if (previous.Deleted || !string.Equals(previous.Session.UserId, session.UserId, StringComparison.Ordinal))
            {
                throw ContinuesFromMismatch(previousId);
            }

            return Task.FromResult(Add(session));
        }
    }

    private Session Add(Session session) => Add(new SessionEntry(session));

    private Session Add(SessionEntry entry)
    {
        var session = entry.Session;
        var index = _users.GetOrAdd(session.UserId, static _ => new UserIndex());
        lock (entry.Gate)
        {
            if (!_sessions.TryAdd(session.Id, entry))
            {
                throw new SessionKitException($"A session with id '{session.Id}' already exists.");
            }

            index.Add(SessionListPosition.Of(session));
        }

        return session;
    }

    /// <inheritdoc />
    protected override Task<Session?> FindSessionCoreAsync(Guid sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue(sessionId, out var entry) ? entry.Session : null);

    /// <inheritdoc />
    protected override Task<SessionPage> ListSessionsCoreAsync(string userId, int pageSize, SessionListPosition? after, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(userId, out var index))
        {
            return Task.FromResult(new SessionPage([], null));
        }

        var positions = index.Page(after, pageSize + 1);
        var items = new List<Session>(Math.Min(pageSize, positions.Count));
        SessionListPosition last = default;
        foreach (var position in positions)
        {
            if (items.Count == pageSize)
            {
                break;
            }

            last = position;
            if (_sessions.TryGetValue(position.Id, out var entry))
            {
                items.Add(entry.Session);
            }
        }

        // The cursor is the last position read from the index, not the session's current one: an append racing with this
        // listing may already have moved that session to the top, and a cursor made from there would repeat the whole list.
        // A session deleted meanwhile leaves the page short, so more may follow whenever the index had more than a page.
        string? next = positions.Count > pageSize ? last.ToCursor() : null;
        return Task.FromResult(new SessionPage(items, next));
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Session>> ListSessionsByCreationCoreAsync(string userId, int limit, Guid? afterId, CancellationToken cancellationToken)
    {
        if (!_users.TryGetValue(userId, out var index))
        {
            return Task.FromResult<IReadOnlyList<Session>>([]);
        }

        var items = new List<Session>(Math.Min(limit, 64));
        Guid? after = afterId;
        while (items.Count < limit)
        {
            // A session deleted since the ids were taken is passed over, and the next batch continues after it.
            int wanted = limit - items.Count;
            var ids = index.PageByCreation(after, wanted);
            foreach (var id in ids)
            {
                if (_sessions.TryGetValue(id, out var entry) && !entry.Deleted)
                {
                    items.Add(entry.Session);
                }
            }

            if (ids.Count < wanted)
            {
                break;
            }

            after = ids[^1];
        }

        return Task.FromResult<IReadOnlyList<Session>>(items);
    }

    /// <inheritdoc />
    protected override Task<Session> UpdateSessionCoreAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            var updated = PlanUpdate(entry.ThrowIfDeleted(sessionId), update);
            entry.Session = updated;
            entry.Changes.Add(ChangeOf(updated, SessionChangeKind.SessionUpdated, TimeProvider.GetUtcNow()));
            return Task.FromResult(updated);
        }
    }

    /// <inheritdoc />
    protected override Task<bool> DeleteSessionCoreAsync(Guid sessionId, long? expectedVersion, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetValue(sessionId, out var entry))
        {
            return Task.FromResult(false);
        }

        // The gate is re-entrant: the version is checked and the session erased under one hold of it.
        lock (entry.Gate)
        {
            if (entry.Deleted)
            {
                return Task.FromResult(false);
            }

            CheckVersion(entry.Session, expectedVersion);
            return Task.FromResult(EraseSessions([sessionId]).Sessions > 0);
        }
    }

    /// <inheritdoc />
    protected override Task<AppendResult> AppendMessagesCoreAsync(
        Guid sessionId,
        IReadOnlyList<SessionMessage> messages,
        long? expectedVersion,
        IdempotentAppend? idempotency,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            var current = entry.ThrowIfDeleted(sessionId);
            if (idempotency is not null && entry.IdempotencyKeys.TryGetValue(idempotency.Key, out var earlier))
            {
                return Task.FromResult(Replay(current, idempotency, earlier.Fingerprint, Range(entry.Messages, earlier.FirstSequence, earlier.LastSequence)));
            }

            var result = PlanAppend(current, messages, expectedVersion, now);
            var updated = result.Session;
            entry.Messages.AddRange(result.Messages);
            entry.Changes.Add(ChangeOf(result));
            if (idempotency is not null)
            {
                entry.IdempotencyKeys.Add(idempotency.Key, new IdempotencyRecord(result.Messages[0].Sequence, updated.LastSequence, idempotency.Fingerprint));
            }

            entry.Session = updated;
            _search.Add(updated.UserId, result.Messages);
            if (_users.TryGetValue(updated.UserId, out var index))
            {
                index.Move(SessionListPosition.Of(current), SessionListPosition.Of(updated));
            }

            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetLastMessagesCoreAsync(Guid sessionId, int count, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);
            int take = Math.Min(count, entry.Messages.Count);
            IReadOnlyList<SessionMessage> result = entry.Messages.GetRange(entry.Messages.Count - take, take);
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetMessagesCoreAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);
            return Task.FromResult<IReadOnlyList<SessionMessage>>(Range(entry.Messages, fromSequence, toSequence));
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeCoreAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);

            // Times never decrease with the sequence, so the range is found by two binary searches.
            var messages = entry.Messages;
            int from = query.Since is { } since ? FirstAtOrAfter(messages, since) : 0;
            int to = query.Until is { } until ? FirstAtOrAfter(messages, until) : messages.Count;
            int count = Math.Min(Math.Max(to - from, 0), query.Limit);
            int start = query.Newest ? to - count : from;
            return Task.FromResult<IReadOnlyList<SessionMessage>>(count == 0 ? [] : messages.GetRange(start, count));
        }
    }

    private static int FirstAtOrAfter(List<SessionMessage> messages, DateTimeOffset time)
    {
        int low = 0;
        int high = messages.Count;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            if (messages[middle].CreatedAt < time)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <inheritdoc />
    protected override Task<long> CountMessagesCoreAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);
            return Task.FromResult((long)entry.Messages.Count);
        }
    }

    /// <inheritdoc />
    /// <remarks>Read under the session's lock, so the snapshot is consistent; the messages and summaries are the stored objects.</remarks>
    protected override Task<ContextSnapshot> ReadContextSnapshotCoreAsync(Guid sessionId, int tokenBudget, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            var session = entry.ThrowIfDeleted(sessionId);
            var messages = entry.Messages;
            int start = messages.Count;
            long tokens = 0;
            while (start > 0 && tokens <= tokenBudget && messages.Count - start < MaxContextSnapshotRows)
            {
                start--;
                tokens += messages[start].TokenCount;
            }

            var newest = new SessionMessage[messages.Count - start];
            for (int i = 0; i < newest.Length; i++)
            {
                newest[i] = messages[messages.Count - 1 - i];
            }

            return Task.FromResult(new ContextSnapshot
            {
                Session = session,
                NewestMessages = newest,
                MessagesFrom = start == 0 ? 1 : messages[start].Sequence,
                SummaryLevels = entry.Summaries.SnapshotLevels(tokenBudget, MaxContextSnapshotRows),
            });
        }
    }

    /// <inheritdoc />
    protected override Task<SessionSummary> SaveSummaryCoreAsync(SessionSummary summary, CancellationToken cancellationToken)
    {
        var entry = GetEntry(summary.SessionId);
        lock (entry.Gate)
        {
            CheckSummaryRange(entry.ThrowIfDeleted(summary.SessionId), summary);
            return Task.FromResult(entry.Summaries.Add(summary));
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionSummary>> GetSummariesCoreAsync(Guid sessionId, SummaryQuery query, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);
            return Task.FromResult(entry.Summaries.Query(query));
        }
    }

    /// <inheritdoc />
    protected override Task<int> InvalidateSummariesCoreAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);
            int removed = entry.Summaries.RemoveEndingAtOrAfter(fromSequence);
            PruneVectors(entry);
            return Task.FromResult(removed);
        }
    }

    /// <summary>
    /// How many of the newest messages in scope hybrid search's word half and the context builder's recall rank besides
    /// older ones holding a rare query word (see <see cref="SearchIndex.BoundedRows"/>). Tests lower it.
    /// </summary>
    internal int BoundedSearchRows
    {
        get => _search.BoundedRows;
        set => _search.BoundedRows = value;
    }

    /// <inheritdoc />
    protected override Task<SearchPage> SearchCoreAsync(string userId, SearchQuery query, IReadOnlyList<string> terms, int offset, CancellationToken cancellationToken)
    {
        var (hits, nextOffset) = _search.Search(userId, query, terms, offset);
        return Task.FromResult(SearchPageOf(hits, nextOffset));
    }

    /// <inheritdoc />
    protected override ValueTask DisposeAsyncCore()
    {
        _sessions.Clear();
        _users.Clear();
        _search.Clear();
        _embeddingVersions.Clear();
        return base.DisposeAsyncCore();
    }

    private SessionEntry GetEntry(Guid sessionId) =>
        _sessions.TryGetValue(sessionId, out var entry) ? entry : throw new SessionNotFoundException(sessionId);

    private static List<SessionMessage> Range(List<SessionMessage> messages, long fromSequence, long toSequence)
    {
        int start = LowerBound(messages, fromSequence);
        int end = LowerBound(messages, toSequence == long.MaxValue ? toSequence : toSequence + 1);
        return messages.GetRange(start, end - start);
    }

    // Messages are kept in sequence order, so the first index whose sequence is >= the target is found by binary search.
    private static int LowerBound(List<SessionMessage> messages, long sequence)
    {
        int lo = 0;
        int hi = messages.Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (messages[mid].Sequence < sequence)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private sealed class SessionEntry(Session session)
    {
        private Session _session = session;

        public object Gate { get; } = new();

        public Session Session
        {
            get => Volatile.Read(ref _session);
            set => Volatile.Write(ref _session, value);
        }

        public List<SessionMessage> Messages { get; } = [];

        public SummaryIndex Summaries { get; } = new();

        public Dictionary<string, IdempotencyRecord> IdempotencyKeys { get; } = new(StringComparer.Ordinal);

        public List<SessionChange> Changes { get; } = [];

        public Dictionary<string, StateEntry> State { get; } = new(StringComparer.Ordinal);

        public SessionLease? Lease { get; set; }

        // Replaced contents by sequence, oldest first; only edited messages have an entry.
        public Dictionary<long, List<MessageRevision>> Revisions { get; } = [];

        public bool Deleted { get; set; }

        // One vector per message or summary id; PruneVectors drops those whose target changed or went away.
        public Dictionary<Guid, StoredEmbedding> Vectors { get; } = [];

        /// <summary>Drops the vectors whose target changed or went away; returns whether any was dropped.</summary>
        public bool PruneVectors()
        {
            if (Vectors.Count == 0)
            {
                return false;
            }

            int before = Vectors.Count;

            var live = new HashSet<Guid>(Summaries.Query(new SummaryQuery { NewestFirst = false, Limit = int.MaxValue }).Select(static s => s.Id));
            foreach (var vector in Vectors.Values.ToList())
            {
                bool current = vector.Kind == EmbeddingKind.Summary ? live.Contains(vector.TargetId) : FindMessage(vector) is not null;
                if (!current)
                {
                    Vectors.Remove(vector.TargetId);
                }
            }

            return Vectors.Count != before;
        }

        public SessionMessage? FindMessage(StoredEmbedding vector)
        {
            int index = LowerBound(Messages, vector.Sequence);
            return index < Messages.Count && Messages[index].Sequence == vector.Sequence && Messages[index].Id == vector.TargetId && Messages[index].Revision == vector.Revision
                ? Messages[index]
                : null;
        }

        public Session ThrowIfDeleted(Guid sessionId) => Deleted ? throw new SessionNotFoundException(sessionId) : Session;
    }

    private sealed class UserIndex
    {
        private readonly SortedSet<SessionListPosition> _positions = [];

        // The same sessions by id, newest first: the order of SessionListOrder.Created, which activity never changes.
        private readonly SortedSet<Guid> _ids = new(Comparer<Guid>.Create(static (x, y) => SessionListPosition.CompareIds(y, x)));

        public void Add(SessionListPosition position)
        {
            lock (_positions)
            {
                _positions.Add(position);
                _ids.Add(position.Id);
            }
        }

        public void Remove(SessionListPosition position)
        {
            lock (_positions)
            {
                _positions.Remove(position);
                _ids.Remove(position.Id);
            }
        }

        public List<Guid> PageByCreation(Guid? after, int take)
        {
            var page = new List<Guid>(Math.Min(take, 64));
            lock (_positions)
            {
                if (_ids.Count == 0)
                {
                    return page;
                }

                IEnumerable<Guid> candidates = after is { } a
                    ? (_ids.Comparer.Compare(a, _ids.Max) < 0 ? _ids.GetViewBetween(a, _ids.Max) : [])
                    : _ids;
                foreach (var id in candidates)
                {
                    if (after is { } start && _ids.Comparer.Compare(id, start) <= 0)
                    {
                        continue;
                    }

                    page.Add(id);
                    if (page.Count == take)
                    {
                        break;
                    }
                }
            }

            return page;
        }

        public void Move(SessionListPosition from, SessionListPosition to)
        {
            lock (_positions)
            {
                _positions.Remove(from);
                _positions.Add(to);
            }
        }

        public List<SessionListPosition> Page(SessionListPosition? after, int take)
        {
            var page = new List<SessionListPosition>(Math.Min(take, 64));
            lock (_positions)
            {
                IEnumerable<SessionListPosition> candidates = after is { } a && _positions.Count > 0
                    ? (a.CompareTo(_positions.Max) < 0 ? _positions.GetViewBetween(a, _positions.Max) : [])
                    : _positions;
                foreach (var position in candidates)
                {
                    if (after is { } start && position.CompareTo(start) <= 0)
                    {
                        continue;
                    }

                    page.Add(position);
                    if (page.Count == take)
                    {
                        break;
                    }
                }
            }

            return page;
        }
    }
}
