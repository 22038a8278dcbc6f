using SessionKit.Storage;
namespace SessionKit;

// Vectors live with their session (so deleting it or erasing the user drops them) and are pruned under the session's
// lock whenever a correction, retention or invalidation changes what they embed.
public sealed partial class InMemorySessionStore
{
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

                    scan.Offer(vector.TargetId, vector.SessionId, vector.Sequence, vector.Vector.Span);
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
