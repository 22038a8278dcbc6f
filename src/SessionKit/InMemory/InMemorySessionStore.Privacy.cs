using SessionKit.Storage;

namespace SessionKit;

/// <summary>Erasure and retention in process memory: erased data is dropped from every dictionary and index.</summary>
public sealed partial class InMemorySessionStore
{
    private readonly SortedDictionary<string, UserKeyRecord> _userKeys = new(StringComparer.Ordinal);

    /// <inheritdoc />
    protected override Task<UserKeyRecord?> FindUserKeyCoreAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_identityGate)
        {
            return Task.FromResult(_userKeys.GetValueOrDefault(userId));
        }
    }

    /// <inheritdoc />
    protected override Task<UserKeyRecord> AddUserKeyCoreAsync(UserKeyRecord record, CancellationToken cancellationToken)
    {
        lock (_identityGate)
        {
            return Task.FromResult(_userKeys.TryAdd(record.UserId, record) ? record : _userKeys[record.UserId]);
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<UserKeyRecord>> ListUserKeysCoreAsync(string? afterUserId, int limit, CancellationToken cancellationToken)
    {
        lock (_identityGate)
        {
            IReadOnlyList<UserKeyRecord> page = [.. _userKeys.Values.Where(r => afterUserId is null || string.CompareOrdinal(r.UserId, afterUserId) > 0).Take(limit)];
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    protected override Task<bool> ReplaceUserKeyCoreAsync(UserKeyRecord record, string expectedMasterKeyId, CancellationToken cancellationToken)
    {
        lock (_identityGate)
        {
            if (!_userKeys.TryGetValue(record.UserId, out var current) || !string.Equals(current.MasterKeyId, expectedMasterKeyId, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            _userKeys[record.UserId] = record;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    protected override Task<EraseResult> EraseUserCoreAsync(string userId, CancellationToken cancellationToken)
    {
        // Every per-user collection, listed once; data added by later features belongs here too.
        var sessions = _sessions.Values.Where(e => string.Equals(e.Session.UserId, userId, StringComparison.Ordinal)).Select(e => e.Session.Id).ToList();
        var result = EraseSessions(sessions);
        long tokens = 0;
        long devices = 0;
        lock (_identityGate)
        {
            if (_tokensByUser.Remove(userId, out var ids))
            {
                foreach (var id in ids)
                {
                    tokens += _tokens.Remove(id) ? 1 : 0;
                }
            }

            if (_devicesByUser.Remove(userId, out var byId))
            {
                devices = byId.Count;
            }

            _userKeys.Remove(userId);
        }

        _users.TryRemove(userId, out _);
        _embeddingVersions.TryRemove(userId, out _);
        lock (_sharedState)
        {
            _sharedState.Remove((StateScope.User, userId));
        }

        return Task.FromResult(result with { Tokens = tokens, Devices = devices, Grants = result.Grants + RemoveUserGrants(userId) });
    }

    /// <inheritdoc />
    protected override Task<EraseResult> EraseSessionsCoreAsync(IReadOnlyList<Guid> sessionIds, CancellationToken cancellationToken) =>
        Task.FromResult(EraseSessions(sessionIds));

    /// <inheritdoc />
    protected override Task<IReadOnlyList<SessionTokenRecord>> ListUserTokensCoreAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_identityGate)
        {
            IReadOnlyList<SessionTokenRecord> tokens = _tokensByUser.TryGetValue(userId, out var ids)
                ? [.. ids.Select(id => _tokens[id]).OrderBy(t => t.CreatedAt).ThenBy(t => t.TokenId)]
                : [];
            return Task.FromResult(tokens);
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<Session>> ScanSessionsCoreAsync(Guid? afterSessionId, int limit, CancellationToken cancellationToken)
    {
        // Ordered like the SQLite backend's BLOB ids: big-endian bytes, which is creation order for version 7 GUIDs.
        IReadOnlyList<Session> page = [.. _sessions.Values
            .Select(e => e.Session)
            .Where(s => afterSessionId is not { } after || CompareIds(s.Id, after) > 0)
            .Order(Comparer<Session>.Create(static (a, b) => CompareIds(a.Id, b.Id)))
            .Take(limit)];
        return Task.FromResult(page);
    }

    /// <inheritdoc />
    protected override Task<MessageRetentionResult> DeleteMessagesBeforeCoreAsync(
        Guid sessionId,
        DateTimeOffset createdBefore,
        MessageRetentionMode mode,
        int maxMessages,
        CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            var current = entry.ThrowIfDeleted(sessionId);
            var summaries = entry.Summaries.Query(new SummaryQuery { NewestFirst = false, Limit = SummaryQuery.MaxLimit });
            var doomed = new HashSet<Guid>();
            long lastDeleted = 0;
            foreach (var message in entry.Messages)
            {
                if (message.CreatedAt >= createdBefore || doomed.Count == maxMessages)
                {
                    break;
                }

                if (mode == MessageRetentionMode.KeepSummariesOnly && !summaries.Any(s => s.FromSequence <= message.Sequence && message.Sequence <= s.ToSequence))
                {
                    continue;
                }

                doomed.Add(message.Id);
                lastDeleted = message.Sequence;
            }

            if (doomed.Count == 0)
            {
                return Task.FromResult(MessageRetentionResult.None);
            }

            entry.Messages.RemoveAll(m => doomed.Contains(m.Id));
            int summariesDeleted = mode == MessageRetentionMode.DeleteMessages ? entry.Summaries.RemoveEndingAtOrBefore(lastDeleted) : 0;

            // Re-index what is left: the index has no per-message removal, and a sweep is not on any request's path.
            _search.RemoveSession(sessionId);
            _search.Add(current.UserId, [.. entry.Messages]);
            PruneVectors(entry);
            entry.Session = current with { MessageCount = entry.Messages.Count, Version = current.Version + 1 };
            return Task.FromResult(new MessageRetentionResult(doomed.Count, summariesDeleted));
        }
    }

    private EraseResult EraseSessions(IReadOnlyList<Guid> sessionIds)
    {
        long sessions = 0;
        long messages = 0;
        long summaries = 0;
        long grants = 0;
        foreach (var sessionId in sessionIds)
        {
            if (!_sessions.TryGetValue(sessionId, out var entry))
            {
                continue;
            }

            lock (entry.Gate)
            {
                if (entry.Deleted)
                {
                    continue;
                }

                sessions++;
                messages += entry.Messages.Count;
                summaries += entry.Summaries.Count;
                entry.Deleted = true;
                _sessions.TryRemove(sessionId, out _);
                if (_users.TryGetValue(entry.Session.UserId, out var index))
                {
                    index.Remove(SessionListPosition.Of(entry.Session));
                }

                _search.RemoveSession(sessionId);
                grants += RemoveSessionGrants(sessionId);
                entry.Messages.Clear();
                entry.Summaries.Clear();
                if (entry.Vectors.Count > 0)
                {
                    entry.Vectors.Clear();
                    VectorsChanged(entry.Session.UserId);
                }

                entry.IdempotencyKeys.Clear();
                entry.Revisions.Clear();
                entry.Changes.Clear();
                entry.State.Clear();
                entry.Lease = null;
            }
        }

        return sessions == 0 ? EraseResult.None : new EraseResult { Sessions = sessions, Messages = messages, Summaries = summaries, Grants = grants };
    }

    private static int CompareIds(Guid a, Guid b)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, bigEndian: true, out _);
        b.TryWriteBytes(y, bigEndian: true, out _);
        return x.SequenceCompareTo(y);
    }
}
