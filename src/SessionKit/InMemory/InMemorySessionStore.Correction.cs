namespace SessionKit;

// Correction and rollback. Each runs under the session's lock; the session's search entries are rebuilt from its remaining
// messages (corrections are rare, and the index has no per-message removal), so a search sees the change whole or not at all.
public sealed partial class InMemorySessionStore
{
    /// <inheritdoc />
    protected override Task<CorrectionResult> EditMessageCoreAsync(Guid sessionId, long sequence, string content, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            var current = entry.ThrowIfDeleted(sessionId);
            int index = IndexOf(entry, sessionId, sequence);
            var result = PlanEdit(current, entry.Messages[index], content, options, now, out var replaced);
            entry.Messages[index] = result.Message;
            if (!entry.Revisions.TryGetValue(sequence, out var revisions))
            {
                revisions = [];
                entry.Revisions.Add(sequence, revisions);
            }

            revisions.Add(replaced);
            entry.Changes.Add(ChangeOf(result.Session, SessionChangeKind.MessageEdited, now, sequence, sequence, authorId: options.AuthorId));
            entry.Summaries.RemoveEndingAtOrAfter(sequence);
            entry.Session = result.Session;
            Reindex(entry);
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    protected override Task<Session> DeleteMessageCoreAsync(Guid sessionId, long sequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            var current = entry.ThrowIfDeleted(sessionId);
            int index = IndexOf(entry, sessionId, sequence);
            var updated = PlanDelete(current, options.ExpectedVersion);
            entry.Changes.Add(ChangeOf(updated, SessionChangeKind.MessageDeleted, now, sequence, sequence, authorId: options.AuthorId));
            entry.Messages.RemoveAt(index);
            entry.Revisions.Remove(sequence);
            entry.Summaries.RemoveEndingAtOrAfter(sequence);
            entry.Session = updated;
            Reindex(entry);
            return Task.FromResult(updated);
        }
    }

    /// <inheritdoc />
    protected override Task<Session> RewindCoreAsync(Guid sessionId, long toSequence, CorrectionOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            var current = entry.ThrowIfDeleted(sessionId);
            CheckRewind(current, toSequence, options.ExpectedVersion);
            int keep = LowerBound(entry.Messages, toSequence + 1);
            int removed = entry.Messages.Count - keep;
            entry.Messages.RemoveRange(keep, removed);
            foreach (var sequence in entry.Revisions.Keys.Where(s => s > toSequence).ToList())
            {
                entry.Revisions.Remove(sequence);
            }

            foreach (var key in entry.IdempotencyKeys.Where(k => k.Value.LastSequence > toSequence).Select(k => k.Key).ToList())
            {
                entry.IdempotencyKeys.Remove(key);
            }

            entry.Summaries.RemoveEndingAtOrAfter(toSequence + 1);
            var updated = PlanRewind(current, toSequence, removed);
            entry.Changes.Add(ChangeOf(updated, SessionChangeKind.Rewound, now, toSequence: toSequence, authorId: options.AuthorId));
            entry.Session = updated;
            Reindex(entry);
            return Task.FromResult(updated);
        }
    }

    /// <inheritdoc />
    protected override Task<Session> ForkSessionCoreAsync(Guid sessionId, long atSequence, ForkOptions options, Guid forkId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var source = GetEntry(sessionId);
        lock (source.Gate)
        {
            var current = source.ThrowIfDeleted(sessionId);
            var copied = Range(source.Messages, 1, atSequence);
            var fork = new SessionEntry(PlanFork(current, atSequence, copied.Count, options, forkId, now));
            fork.Messages.AddRange(copied.Select(m => CopyForFork(m, forkId, now)));
            foreach (var summary in source.Summaries.Query(new SummaryQuery { ToSequenceAtMost = atSequence, NewestFirst = false, Limit = int.MaxValue }))
            {
                fork.Summaries.Add(CopyForFork(summary, forkId, now));
            }

            lock (fork.Gate)
            {
                var created = Add(fork);
                Reindex(fork);
                return Task.FromResult(created);
            }
        }
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsCoreAsync(Guid sessionId, long sequence, CancellationToken cancellationToken)
    {
        var entry = GetEntry(sessionId);
        lock (entry.Gate)
        {
            entry.ThrowIfDeleted(sessionId);
            IndexOf(entry, sessionId, sequence);
            IReadOnlyList<MessageRevision> revisions = entry.Revisions.TryGetValue(sequence, out var list) ? list.ToArray() : [];
            return Task.FromResult(revisions);
        }
    }

    private static int IndexOf(SessionEntry entry, Guid sessionId, long sequence)
    {
        int index = LowerBound(entry.Messages, sequence);
        return index < entry.Messages.Count && entry.Messages[index].Sequence == sequence
            ? index
            : throw new MessageNotFoundException(sessionId, sequence);
    }

    private void Reindex(SessionEntry entry)
    {
        _search.RemoveSession(entry.Session.Id);
        _search.Add(entry.Session.UserId, [.. entry.Messages]);
        PruneVectors(entry);
    }

    /// <summary>What an idempotency key recorded: the sequences its append stored and the fingerprint of its messages.</summary>
    private sealed record IdempotencyRecord(long FirstSequence, long LastSequence, string Fingerprint);
}
