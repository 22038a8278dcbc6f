using System.Collections.Concurrent;
using SessionKit.Storage;

namespace SessionKit;

// Vectors live with their session (so deleting it or erasing the user drops them) and are pruned under the session's
// lock whenever a correction, retention or invalidation changes what they embed.
public sealed partial class InMemorySessionStore
{
    // Each user's embedding version: every change to a user's vectors sets it to the next value of one store-wide clock,
    // under the session's lock and after the change, so no value is ever reported twice and a version read before a scan
    // is never newer than the vectors the scan sees. A user without an entry has no vectors (erasing the user drops it).
    private readonly ConcurrentDictionary<string, long> _embeddingVersions = new(StringComparer.Ordinal);
    private long _embeddingClock;

    /// <inheritdoc />
    /// <remarks>
    /// In memory too the cache pays: it holds the user's vectors contiguously with their filter columns, where a scan of
    /// the store walks every session's vector dictionary and finds each vector's message; and with it hybrid search ranks
    /// by meaning while its word half searches.
    /// </remarks>
    protected override Task<long?> ReadEmbeddingVersionCoreAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(EmbeddingVersionOf(userId));

    /// <summary>The user's embedding version as searches read it (tests check it).</summary>
    internal long? EmbeddingVersionOf(string userId) => _embeddingVersions.TryGetValue(userId, out long version) ? version : null;

    /// <summary>Gives <paramref name="userId"/> a new embedding version; call under the lock of the session whose vectors changed, after the change.</summary>
    private void VectorsChanged(string userId) => _embeddingVersions[userId] = Interlocked.Increment(ref _embeddingClock);

    /// <summary>Drops the session's stale vectors (see <see cref="SessionEntry.PruneVectors"/>) and records the change; call under the session's lock.</summary>
    private void PruneVectors(SessionEntry entry)
    {
        if (entry.PruneVectors())
        {
            VectorsChanged(entry.Session.UserId);
        }
    }

    /// <inheritdoc />
    public override bool SupportsEmbeddings => true;

    /// <inheritdoc />
    protected override Task<IReadOnlyList<EmbeddingBacklogItem>> GetEmbeddingBacklogCoreAsync(string modelId, int limit, CancellationToken cancellationToken)
    {
        var backlog = new List<EmbeddingBacklogItem>();
        foreach (var entry in _sessions.Values.OrderBy(static e => e.Session.Id))
        {
            lock (entry.Gate)
            {
                if (entry.Deleted)
                {
                    continue;
                }

                string userId = entry.Session.UserId;
                foreach (var message in entry.Messages)
                {
                    if (message.Content.Length > 0 && !HasVector(entry, message.Id, modelId))
                    {
                        backlog.Add(new EmbeddingBacklogItem(userId, message, null));
                        if (backlog.Count == limit)
                        {
                            return Task.FromResult<IReadOnlyList<EmbeddingBacklogItem>>(backlog);
                        }
                    }
                }

                foreach (var summary in entry.Summaries.Query(new SummaryQuery { NewestFirst = false, Limit = int.MaxValue }))
                {
                    if (!HasVector(entry, summary.Id, modelId))
                    {
                        backlog.Add(new EmbeddingBacklogItem(userId, null, summary));
                        if (backlog.Count == limit)
                        {
                            return Task.FromResult<IReadOnlyList<EmbeddingBacklogItem>>(backlog);
                        }
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<EmbeddingBacklogItem>>(backlog);
    }

    /// <inheritdoc />
    protected override Task<int> SaveEmbeddingsCoreAsync(IReadOnlyList<StoredEmbedding> embeddings, CancellationToken cancellationToken)
    {
        int saved = 0;
        foreach (var embedding in embeddings)
        {
            if (!_sessions.TryGetValue(embedding.SessionId, out var entry))
            {
                continue;
            }

            lock (entry.Gate)
            {
                bool current = !entry.Deleted
                    && string.Equals(entry.Session.UserId, embedding.UserId, StringComparison.Ordinal)
                    && (embedding.Kind == EmbeddingKind.Message
                        ? entry.FindMessage(embedding) is not null
                        : entry.Summaries.Query(new SummaryQuery { NewestFirst = false, Limit = int.MaxValue }).Any(s => s.Id == embedding.TargetId));
                if (current)
                {
                    entry.Vectors[embedding.TargetId] = embedding with { Vector = embedding.Vector.ToArray() };
                    VectorsChanged(embedding.UserId);
                    saved++;
                }
            }
        }

        return Task.FromResult(saved);
    }

    /// <inheritdoc />
    protected override Task ScanEmbeddingsCoreAsync(string userId, EmbeddingScan scan, CancellationToken cancellationToken)
    {
        foreach (var entry in _sessions.Values)
        {
            if (!string.Equals(entry.Session.UserId, userId, StringComparison.Ordinal) || (scan.SessionId is { } only && entry.Session.Id != only))
            {
                continue;
            }

            lock (entry.Gate)
            {
                if (entry.Deleted)
                {
                    continue;
                }

                foreach (var vector in entry.Vectors.Values)
                {
                    if (vector.Kind != EmbeddingKind.Message || !string.Equals(vector.ModelId, scan.ModelId, StringComparison.Ordinal)
                        || entry.FindMessage(vector) is not { } message
                        || (scan.Role is { } role && message.Role != role)
                        || (scan.Since is { } since && message.CreatedAt < since)
                        || (scan.Until is { } until && message.CreatedAt >= until))
                    {
                        continue;
                    }

                    // With role and time, the cached copy can serve filtered searches too.
                    scan.Offer(vector.TargetId, vector.SessionId, vector.Sequence, message.Role, message.CreatedAt, vector.Vector.Span);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override Task<IReadOnlyList<EmbeddingModelCount>> CountEmbeddingsCoreAsync(string userId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string, int), long>();
        foreach (var entry in _sessions.Values)
        {
            if (!string.Equals(entry.Session.UserId, userId, StringComparison.Ordinal))
            {
                continue;
            }

            lock (entry.Gate)
            {
                foreach (var vector in entry.Vectors.Values)
                {
                    var key = (vector.ModelId, vector.Dimensions);
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        IReadOnlyList<EmbeddingModelCount> result = [.. counts.Select(static c => new EmbeddingModelCount(c.Key.Item1, c.Key.Item2, c.Value)).OrderBy(static c => c.ModelId, StringComparer.Ordinal).ThenBy(static c => c.Dimensions)];
        return Task.FromResult(result);
    }

    private static bool HasVector(SessionEntry entry, Guid targetId, string modelId) =>
        entry.Vectors.TryGetValue(targetId, out var vector) && string.Equals(vector.ModelId, modelId, StringComparison.Ordinal);
}
