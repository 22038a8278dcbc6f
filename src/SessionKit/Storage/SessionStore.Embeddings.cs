using Microsoft.Extensions.AI;

namespace SessionKit.Storage;

/// <summary>
/// Recall by meaning, written once for every backend: the generator, the model id vectors are kept under, embedding the
/// backlog (sealing vectors when the store encrypts), exact cosine ranking and its fusion with BM25. Backends only store
/// vectors, list what lacks one and hand a user's vectors to an <see cref="EmbeddingScan"/>.
/// </summary>
public abstract partial class SessionStore
{
    /// <summary>
    /// The weight of meaning in hybrid search: a hit scores <c>w · cosine / best cosine + (1 − w) · coverage · bm25 / best
    /// bm25</c>, where the bests are those of the candidates and coverage is the share of the query's words the message
    /// holds. Equal weights: exact words and meaning count alike.
    /// </summary>
    public const double HybridSemanticWeight = 0.5;

    // Hybrid search fuses at least this many hits of each ranking, so a message ranked low by one and high by the other still surfaces.
    private const int MinFusionCandidates = 50;

    private EmbeddingBinding? _embeddings;
    private readonly VectorCache _vectorCache = new(DefaultVectorCacheCapacity);

    /// <summary>The default of <see cref="VectorCacheCapacity"/>: 128 MiB (about eight users with 10,000 vectors of 384 dimensions each).</summary>
    public const long DefaultVectorCacheCapacity = 128L * 1024 * 1024;

    /// <summary>
    /// How many bytes of message vectors this store keeps in process memory for semantic and hybrid search (default
    /// <see cref="DefaultVectorCacheCapacity"/>; 0 turns the cache off). A search loads the caller's vectors of the current
    /// model once, contiguously, and ranks them in memory until they change; users searched least recently are evicted
    /// first, and a user whose vectors alone exceed the capacity is scanned from storage on every search. An entry is
    /// used only while the backend reports the same embedding version for the user (<see cref="ReadEmbeddingVersionCoreAsync"/>),
    /// so changes made by other store instances or processes on the same database are seen by the next search; a backend
    /// that reports no version is always scanned. Under encryption at rest the cached vectors are the opened ones (as
    /// decrypted messages are, while a search reads them); erasing a user drops that user's entries at once.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long VectorCacheCapacity
    {
        get => _vectorCache.Capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _vectorCache.Capacity = value;
        }
    }

    /// <summary>How many bytes of vectors the cache holds now (see <see cref="VectorCacheCapacity"/>).</summary>
    public long VectorCacheSize => _vectorCache.Bytes;

    /// <summary>The generator that embeds messages, summaries and queries; <see langword="null"/> until <see cref="UseEmbeddings"/> (then search is lexical only and no vector is stored).</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator => Volatile.Read(ref _embeddings)?.Generator;

    /// <summary>The model id vectors are stored and ranked under; only vectors of this model take part in a search.</summary>
    public string? EmbeddingModelId => Volatile.Read(ref _embeddings)?.ModelId;

    /// <summary>
    /// Turns on recall by meaning with <paramref name="generator"/>. Appends do not change: an <see cref="EmbeddingIndexer"/>
    /// embeds new messages and summaries in the background. Switching to another model (another id) re-embeds
    /// progressively: until a message has a vector of the new model, searches find it by its words only.
    /// </summary>
    /// <param name="generator">Any Microsoft.Extensions.AI embedding generator.</param>
    /// <param name="modelId">The id vectors are kept under; <see langword="null"/> for the generator's
    /// <see cref="EmbeddingGeneratorMetadata.DefaultModelId"/> (see <see cref="ModelIdOf"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is blank or too long.</exception>
    /// <exception cref="NotSupportedException">The backend does not store vectors (<see cref="SupportsEmbeddings"/> is false).</exception>
    public void UseEmbeddings(IEmbeddingGenerator<string, Embedding<float>> generator, string? modelId = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!SupportsEmbeddings)
        {
            throw new NotSupportedException($"{GetType().Name} does not store embedding vectors yet, so it cannot recall by meaning; use a backend that does (in-memory, SQLite, PostgreSQL) or search lexically.");
        }

        if (modelId is not null)
        {
            ValidateId(modelId, nameof(modelId));
        }

        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Volatile.Write(ref _embeddings, new EmbeddingBinding(generator, modelId ?? ModelIdOf(generator)));
    }

    /// <summary>The id a generator's vectors are kept under: its metadata's default model id, else its provider name, else its type name.</summary>
    /// <param name="generator">The generator.</param>
    /// <returns>The model id.</returns>
    public static string ModelIdOf(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var metadata = generator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        return !string.IsNullOrWhiteSpace(metadata?.DefaultModelId) ? metadata.DefaultModelId
            : !string.IsNullOrWhiteSpace(metadata?.ProviderName) ? metadata.ProviderName
            : generator.GetType().FullName ?? generator.GetType().Name;
    }

    /// <summary>
    /// Whether this backend stores embedding vectors: it overrides this with <see langword="true"/> and implements
    /// <see cref="GetEmbeddingBacklogCoreAsync"/>, <see cref="SaveEmbeddingsCoreAsync"/>, <see cref="ScanEmbeddingsCoreAsync"/>
    /// and <see cref="CountEmbeddingsCoreAsync"/>. A backend that does not refuses <see cref="UseEmbeddings"/>.
    /// </summary>
    public virtual bool SupportsEmbeddings => false;

    /// <summary>Counts a user's stored vectors by model (what an export reports).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One entry per model, by model id.</returns>
    public Task<IReadOnlyList<EmbeddingModelCount>> CountEmbeddingsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ValidateId(userId, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        return CountEmbeddingsCoreAsync(userId, cancellationToken);
    }

    /// <summary>
    /// Lists messages (with non-empty content) and summaries that have no vector of <paramref name="modelId"/> (none at
    /// all, or another model's), across all users, oldest first, at most <paramref name="limit"/>. The base class opens
    /// sealed ones before embedding.
    /// </summary>
    /// <param name="modelId">The current model.</param>
    /// <param name="limit">At least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The backlog's head.</returns>
    protected virtual Task<IReadOnlyList<EmbeddingBacklogItem>> GetEmbeddingBacklogCoreAsync(string modelId, int limit, CancellationToken cancellationToken) =>
        throw NotStoringVectors();

    /// <summary>
    /// Stores vectors, each replacing any vector its message or summary had, and only when the target still exists
    /// unchanged (a message with the same id and revision, a summary with the same id); others are skipped. Editing a
    /// message's content, deleting it, rewinding, invalidating a summary, deleting a session and erasing a user must
    /// delete the vectors they make stale, in the same transaction.
    /// </summary>
    /// <param name="embeddings">The vectors.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many were stored.</returns>
    protected virtual Task<int> SaveEmbeddingsCoreAsync(IReadOnlyList<StoredEmbedding> embeddings, CancellationToken cancellationToken) =>
        throw NotStoringVectors();

    /// <summary>Offers every message vector of <paramref name="userId"/> that matches the scan's model and filters to <see cref="EmbeddingScan.Offer(Guid, Guid, long, MessageRole, DateTimeOffset, ReadOnlySpan{byte})"/>.</summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="scan">The scan.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when every vector was offered.</returns>
    protected virtual Task ScanEmbeddingsCoreAsync(string userId, EmbeddingScan scan, CancellationToken cancellationToken) =>
        throw NotStoringVectors();

    /// <summary>
    /// The user's embedding version: a number that changes (to one never reported before for that user) whenever any
    /// of the user's message vectors is stored, replaced or deleted, including deletions that follow a message's edit,
    /// deletion, rewind, retention, session deletion or erase, by any store instance or process on the same data;
    /// <see langword="null"/> when the backend does not keep one (then <see cref="VectorCacheCapacity"/> has no effect
    /// and every semantic search scans storage). Called before each semantic or hybrid search, so it should be one
    /// indexed read. The base class caches a user's vectors while this stays the same, so a backend that returns a
    /// version must offer role and creation time (<see cref="EmbeddingScan.Offer(Guid, Guid, long, MessageRole, DateTimeOffset, ReadOnlySpan{byte})"/>)
    /// for role and time filters to be served from the cache.
    /// </summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version, or <see langword="null"/>.</returns>
    protected virtual Task<long?> ReadEmbeddingVersionCoreAsync(string userId, CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    /// <summary>Counts a user's vectors (messages and summaries) by model.</summary>
    /// <param name="userId">A validated user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One entry per model, ordered by model id; a backend that stores no vectors has none.</returns>
    protected virtual Task<IReadOnlyList<EmbeddingModelCount>> CountEmbeddingsCoreAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<EmbeddingModelCount>>([]);

    // Unreachable through the public API (UseEmbeddings refuses such a backend); a backend that sets SupportsEmbeddings
    // must override the embedding methods.
    private NotSupportedException NotStoringVectors() => new($"{GetType().Name} does not store embedding vectors (SupportsEmbeddings is false).");

    /// <summary>Embeds the head of the backlog with the current generator and stores the vectors.</summary>
    internal async Task<EmbeddingBatchResult> EmbedBacklogAsync(int batchSize, CancellationToken cancellationToken)
    {
        ThrowIfUnusable(cancellationToken);
        var binding = Volatile.Read(ref _embeddings) ?? throw NoGenerator();
        var items = await GetEmbeddingBacklogCoreAsync(binding.ModelId, batchSize, cancellationToken).ConfigureAwait(false);
        if (items.Count == 0)
        {
            return new EmbeddingBatchResult(0, 0);
        }

        var texts = new List<string>(items.Count);
        var targets = new List<(EmbeddingBacklogItem Item, DataKey? Key)>(items.Count);
        foreach (var item in items)
        {
            DataKey? key = null;
            string text;
            if (IsEncrypted)
            {
                key = await KeyForUserAsync(item.UserId, create: false, cancellationToken).ConfigureAwait(false);
                if (key is null)
                {
                    continue;
                }

                text = item.Message is { } sealedMessage ? OpenMessage(sealedMessage, item.UserId, key).Content : OpenSummary(item.Summary!, item.UserId, key).Content;
            }
            else
            {
                text = item.Message?.Content ?? item.Summary!.Content;
            }

            texts.Add(text);
            targets.Add((item, key));
        }

        if (texts.Count == 0)
        {
            return new EmbeddingBatchResult(items.Count, 0);
        }

        var generated = await binding.Generator.GenerateAsync(texts, null, cancellationToken).ConfigureAwait(false);
        if (generated.Count != texts.Count)
        {
            throw new InvalidOperationException($"The embedding generator returned {generated.Count} embeddings for {texts.Count} inputs.");
        }

        var stored = new List<StoredEmbedding>(texts.Count);
        for (int i = 0; i < targets.Count; i++)
        {
            var (item, key) = targets[i];
            var unit = VectorMath.Normalized(generated[i].Vector.Span)
                ?? throw new InvalidOperationException($"The embedding generator returned a zero or non-finite vector for {item.Kind.ToString().ToLowerInvariant()} '{item.TargetId}'.");
            var bytes = VectorMath.ToBytes(unit);
            stored.Add(new StoredEmbedding
            {
                UserId = item.UserId,
                Kind = item.Kind,
                SessionId = item.SessionId,
                TargetId = item.TargetId,
                Sequence = item.Message?.Sequence ?? item.Summary!.ToSequence,
                Revision = item.Message?.Revision ?? 1,
                ModelId = binding.ModelId,
                Dimensions = unit.Length,
                Vector = key is null ? bytes : EnvelopeCipher.Seal(key.Key, key.KeyId, bytes, RowData("v", item.UserId, item.TargetId)),
            });
        }

        int saved = await SaveEmbeddingsCoreAsync(stored, cancellationToken).ConfigureAwait(false);
        return new EmbeddingBatchResult(items.Count, saved);
    }

    private SearchMode ResolveMode(SearchQuery query)
    {
        var mode = query.Mode;
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(query), mode, "SearchQuery.Mode is not a defined SearchMode.");
        }

        bool embeddings = Volatile.Read(ref _embeddings) is not null;
        return mode switch
        {
            SearchMode.Auto => embeddings ? SearchMode.Hybrid : SearchMode.Lexical,
            SearchMode.Lexical => SearchMode.Lexical,
            _ when !embeddings => throw NoGenerator(),
            _ => mode,
        };
    }

    private static InvalidOperationException NoGenerator() => new(
        "Semantic and hybrid search need an embedding generator: call UseEmbeddings(...) on the store or on the builder returned by AddSessionKit(), or search with SearchMode.Lexical.");

    private async Task<SearchPage> SearchByMeaningAsync(string userId, SearchQuery query, IReadOnlyList<string> terms, int offset, SearchMode mode, CancellationToken cancellationToken)
    {
        int window = offset + query.Limit;
        var stems = terms.Select(PorterStemmer.Stem).Distinct(StringComparer.Ordinal).ToList();
        if (mode == SearchMode.Semantic)
        {
            var meaning = await ScanByMeaningAsync(userId, query, window + 1, null, cancellationToken).ConfigureAwait(false);
            var page = meaning.Best.Skip(offset).Take(query.Limit).ToList();
            var read = await ReadMatchedMessagesAsync(userId, meaning.Key, page, cancellationToken).ConfigureAwait(false);
            var hits = page.Where(m => read.ContainsKey(m.MessageId))
                .Select(m => new SearchHit(read[m.MessageId], m.Score, Snippet(read[m.MessageId].Content, stems, query)))
                .ToList();
            return SearchPageOf(hits, meaning.Best.Count > window ? window : null);
        }

        int candidates = Math.Max(window + 1, MinFusionCandidates);
        var lexicalQuery = query with { Cursor = null, Limit = candidates, Bounded = true };
        var (lexical, semantic) = await SearchBothHalvesAsync(
            userId,
            query,
            candidates,
            () => terms.Count == 0 ? Task.FromResult(SearchPage.Empty)
                : IsEncrypted ? SearchSealedAsync(userId, lexicalQuery, terms, 0, cancellationToken) : SearchCoreAsync(userId, lexicalQuery, terms, 0, cancellationToken),
            cancellationToken).ConfigureAwait(false);

        // Both scores on [0, 1], each divided by the best of its ranking (theoretical minimum 0, observed maximum: the
        // "TM2C2" normalization of Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", ACM TOIS 2023),
        // then combined convexly. Every candidate has its exact cosine (the scan also scores the lexical hits), so a word
        // match that means little adds little, and a meaning found without shared words is not outranked by it.
        double bestBm25 = lexical.Items.Count == 0 ? 0 : lexical.Items.Max(h => h.Score);
        double bestCosine = Math.Max(semantic.Best.Count == 0 ? 0 : semantic.Best[0].Score, semantic.Tracked.Count == 0 ? 0 : semantic.Tracked.Values.Max());
        var fused = new Dictionary<Guid, FusedHit>();
        for (int i = 0; i < lexical.Items.Count; i++)
        {
            var hit = lexical.Items[i];
            double words = bestBm25 > 0 ? Math.Max(hit.Score, 0) / bestBm25 * Coordination(hit.Message.Content, stems) : 0;
            double meaning = bestCosine > 0 && semantic.Tracked.TryGetValue(hit.Message.Id, out float cosine) ? Math.Max(cosine, 0) / bestCosine : 0;
            fused[hit.Message.Id] = new FusedHit(hit.Message.Id, hit.Message.SessionId, hit.Message.Sequence, hit.Message, hit.Snippet, Fuse(meaning, words), i + 1);
        }

        for (int i = 0; i < semantic.Best.Count; i++)
        {
            var match = semantic.Best[i];
            if (!fused.TryGetValue(match.MessageId, out var both))
            {
                double meaning = bestCosine > 0 ? Math.Max(match.Score, 0) / bestCosine : 0;
                fused[match.MessageId] = new FusedHit(match.MessageId, match.SessionId, match.Sequence, null, null, Fuse(meaning, 0), i + 1);
            }
            else if (i + 1 < both.BestRank)
            {
                fused[match.MessageId] = both with { BestRank = i + 1 };
            }
        }

        var ranked = fused.Values.ToList();
        ranked.Sort(FusedHit.BestFirst);
        var pageHits = ranked.Skip(offset).Take(query.Limit).ToList();
        var unread = pageHits.Where(f => f.Message is null).Select(f => new EmbeddingMatch(f.MessageId, f.SessionId, f.Sequence, 0)).ToList();
        var opened = unread.Count == 0 ? null : await ReadMatchedMessagesAsync(userId, semantic.Key, unread, cancellationToken).ConfigureAwait(false);
        var results = new List<SearchHit>(pageHits.Count);
        foreach (var f in pageHits)
        {
            var message = f.Message ?? opened?.GetValueOrDefault(f.MessageId);
            if (message is not null)
            {
                // A bounded word half may leave its snippets empty: they are cut here for the page only.
                results.Add(new SearchHit(message, f.Score, string.IsNullOrEmpty(f.Snippet) ? Snippet(message.Content, stems, query) : f.Snippet));
            }
        }

        return SearchPageOf(results, ranked.Count > window ? window : null);
    }

    private static double Fuse(double meaning, double words) => (HybridSemanticWeight * meaning) + ((1 - HybridSemanticWeight) * words);

    /// <summary>
    /// The share of the query's distinct stems the content holds (the coordination factor of Lucene's classic scoring):
    /// BM25 ranks a message that matches one common word of a long question as the best of its list when nothing matches
    /// better, so its normalized score alone would overstate it.
    /// </summary>
    private static double Coordination(string content, List<string> stems)
    {
        if (stems.Count == 0)
        {
            return 0;
        }

        if (stems.Count > 64 || !System.Text.Ascii.IsValid(content))
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            foreach (var token in SearchTokenizer.Tokenize(content))
            {
                if (stems.Contains(token.Stem))
                {
                    found.Add(token.Stem);
                }
            }

            return (double)found.Count / stems.Count;
        }

        // ASCII text (the common case): scan the words in place and stem only a word that could have a missing query
        // stem, as snippets do; no allocation.
        ulong seen = 0;
        ulong all = stems.Count == 64 ? ulong.MaxValue : (1UL << stems.Count) - 1;
        int i = 0;
        while (seen != all && SearchSnippet.NextAsciiWord(content, ref i, out int start))
        {
            var word = content.AsSpan(start, i - start);
            for (int s = 0; s < stems.Count; s++)
            {
                if ((seen & (1UL << s)) == 0 && PorterStemmer.StemEquals(word, stems[s]))
                {
                    seen |= 1UL << s;
                }
            }
        }

        return (double)System.Numerics.BitOperations.PopCount(seen) / stems.Count;
    }

    /// <summary>
    /// Embeds the query and scans the user's vectors of the current model: the best <paramref name="limit"/> by cosine,
    /// best first, and the cosine of each message in <paramref name="track"/> that has a vector. Nothing when the query
    /// has no text or the user has no key yet (an encrypted store with nothing stored).
    /// </summary>
    private async Task<MeaningScan> ScanByMeaningAsync(string userId, SearchQuery query, int limit, HashSet<Guid>? track, CancellationToken cancellationToken)
    {
        if (await PrepareMeaningAsync(userId, query, cancellationToken).ConfigureAwait(false) is not { } meaning)
        {
            return MeaningScan.Empty;
        }

        var scan = new EmbeddingScan(meaning.ModelId, meaning.Vector, limit, query, meaning.Open, track);
        var cached = await CachedVectorsAsync(userId, meaning.ModelId, meaning.Open, cancellationToken).ConfigureAwait(false);
        if (cached is not null && cached.CanServe(scan))
        {
            cached.Scan(scan);
        }
        else
        {
            await ScanEmbeddingsCoreAsync(userId, scan, cancellationToken).ConfigureAwait(false);
        }

        return new MeaningScan(scan.Results(), scan.TrackedScores, meaning.Key);
    }

    /// <summary>
    /// Hybrid search's two halves: the word half (<paramref name="words"/>) runs on the thread pool while the query is
    /// embedded and, when the user's vectors are cached, ranked; the word half's hits then get their exact cosines from the
    /// same cached vectors (the same dot product the scan computes). Without cached vectors the scan waits for the word
    /// half and scores its hits as it passes them, as a plain scan does. Either way the result is the same; only the
    /// latency differs (the CPU work is the same).
    /// </summary>
    private async Task<(SearchPage Lexical, MeaningScan Semantic)> SearchBothHalvesAsync(
        string userId, SearchQuery query, int limit, Func<Task<SearchPage>> words, CancellationToken cancellationToken)
    {
        var lexical = Task.Run(words, cancellationToken);
        try
        {
            if (await PrepareMeaningAsync(userId, query, cancellationToken).ConfigureAwait(false) is not { } meaning)
            {
                return (await lexical.ConfigureAwait(false), MeaningScan.Empty);
            }

            var scan = new EmbeddingScan(meaning.ModelId, meaning.Vector, limit, query, meaning.Open);
            var cached = await CachedVectorsAsync(userId, meaning.ModelId, meaning.Open, cancellationToken).ConfigureAwait(false);
            if (cached is not null && cached.CanServe(scan))
            {
                cached.Scan(scan);
                var page = await lexical.ConfigureAwait(false);
                var tracked = new Dictionary<Guid, float>(page.Items.Count);
                foreach (var hit in page.Items)
                {
                    if (cached.TryScore(hit.Message.Id, scan, out float score))
                    {
                        tracked[hit.Message.Id] = score;
                    }
                }

                return (page, new MeaningScan(scan.Results(), tracked, meaning.Key));
            }

            var found = await lexical.ConfigureAwait(false);
            var tracking = new EmbeddingScan(meaning.ModelId, meaning.Vector, limit, query, meaning.Open, [.. found.Items.Select(static h => h.Message.Id)]);
            await ScanEmbeddingsCoreAsync(userId, tracking, cancellationToken).ConfigureAwait(false);
            return (found, new MeaningScan(tracking.Results(), tracking.TrackedScores, meaning.Key));
        }
        finally
        {
            // When the meaning half failed first, the word half's own failure (if any, now or later) is observed here.
            if (!lexical.IsCompletedSuccessfully)
            {
                _ = lexical.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// The query embedded and normalized, with the model id and the user's key (under encryption), or
    /// <see langword="null"/> when there is nothing to rank by meaning (blank text, no key for the user, no vector).
    /// </summary>
    private async Task<PreparedMeaning?> PrepareMeaningAsync(string userId, SearchQuery query, CancellationToken cancellationToken)
    {
        var binding = Volatile.Read(ref _embeddings) ?? throw NoGenerator();
        if (string.IsNullOrWhiteSpace(query.Text))
        {
            return null;
        }

        DataKey? key = null;
        if (IsEncrypted)
        {
            key = await KeyForUserAsync(userId, create: false, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                return null;
            }
        }

        var generated = await binding.Generator.GenerateAsync([query.Text], null, cancellationToken).ConfigureAwait(false);
        if (generated.Count != 1 || VectorMath.Normalized(generated[0].Vector.Span) is not { } vector)
        {
            return null;
        }

        Func<Guid, ReadOnlyMemory<byte>, float[]?>? open = key is null ? null : (messageId, envelope) =>
            VectorMath.FromBytes(EnvelopeCipher.Open(key.Key, key.KeyId, envelope.Span, RowData("v", userId, messageId), $"the vector of message '{messageId}'"));
        return new PreparedMeaning(binding.ModelId, vector, key, open);
    }

    private sealed record PreparedMeaning(string ModelId, float[] Vector, DataKey? Key, Func<Guid, ReadOnlyMemory<byte>, float[]?>? Open);

    /// <summary>
    /// The user's vectors of <paramref name="modelId"/> from the cache when they are current (same embedding version as
    /// the backend reports now), else read once through <see cref="ScanEmbeddingsCoreAsync"/> and cached;
    /// <see langword="null"/> when the backend reports no version or the cache is off.
    /// </summary>
    private async Task<UserVectors?> CachedVectorsAsync(string userId, string modelId, Func<Guid, ReadOnlyMemory<byte>, float[]?>? open, CancellationToken cancellationToken)
    {
        if (_vectorCache.Capacity <= 0)
        {
            return null;
        }

        // The version is read before the vectors: a change committed in between makes the entry look older than it is
        // (one extra reload), never newer.
        if (await ReadEmbeddingVersionCoreAsync(userId, cancellationToken).ConfigureAwait(false) is not { } version)
        {
            return null;
        }

        if (_vectorCache.Get(userId, modelId, version) is { } cached)
        {
            return cached;
        }

        var builder = new UserVectors.Builder();
        await ScanEmbeddingsCoreAsync(userId, EmbeddingScan.Collecting(modelId, open, builder), cancellationToken).ConfigureAwait(false);
        var loaded = builder.Build(userId, modelId, version);
        if (loaded is not null)
        {
            _vectorCache.Put(loaded);
        }

        return loaded;
    }

    /// <summary>Reads the messages of <paramref name="matches"/> (opened when sealed); a message deleted or replaced since the scan is left out.</summary>
    private async Task<Dictionary<Guid, SessionMessage>> ReadMatchedMessagesAsync(string userId, DataKey? key, List<EmbeddingMatch> matches, CancellationToken cancellationToken)
    {
        var messages = new Dictionary<Guid, SessionMessage>(matches.Count);
        if (matches.Count == 0)
        {
            return messages;
        }

        var wanted = new Dictionary<Guid, EmbeddingMatch>(matches.Count);
        foreach (var match in matches)
        {
            wanted[match.MessageId] = match;
        }

        var read = await GetMessagesAtCoreAsync([.. matches.Select(static m => (m.SessionId, m.Sequence))], cancellationToken).ConfigureAwait(false);
        foreach (var message in read)
        {
            if (wanted.TryGetValue(message.Id, out var match) && message.SessionId == match.SessionId && message.Sequence == match.Sequence)
            {
                messages[message.Id] = key is null ? message : OpenMessage(message, userId, key);
            }
        }

        return messages;
    }

    /// <summary>
    /// Reads the messages at <paramref name="places"/> (session and sequence), in any order; a place that holds no message
    /// (deleted meanwhile, or its session is gone) is left out, never an error. Search reads its page's hits with it; the
    /// default reads one place at a time, so a backend overrides it to read them all in one statement.
    /// </summary>
    /// <param name="places">At most <see cref="SearchQuery.MaxLimit"/> places.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The messages found.</returns>
    protected virtual async Task<IReadOnlyList<SessionMessage>> GetMessagesAtCoreAsync(IReadOnlyList<(Guid SessionId, long Sequence)> places, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(places);
        var found = new List<SessionMessage>(places.Count);
        foreach (var (sessionId, sequence) in places)
        {
            try
            {
                found.AddRange(await GetMessagesCoreAsync(sessionId, sequence, sequence, cancellationToken).ConfigureAwait(false));
            }
            catch (SessionNotFoundException)
            {
                // Deleted since the scan: nothing to show.
            }
        }

        return found;
    }

    private static string Snippet(string content, List<string> stems, SearchQuery query) =>
        SearchSnippet.Build(content, stems, query.HighlightStart, query.HighlightEnd);

    private sealed record EmbeddingBinding(IEmbeddingGenerator<string, Embedding<float>> Generator, string ModelId);

    private sealed record MeaningScan(List<EmbeddingMatch> Best, Dictionary<Guid, float> Tracked, DataKey? Key)
    {
        public static readonly MeaningScan Empty = new([], [], null);
    }

    // A hybrid candidate: its message when the lexical ranking brought it (semantic-only ones are read once they make the page).
    private sealed record FusedHit(Guid MessageId, Guid SessionId, long Sequence, SessionMessage? Message, string? Snippet, double Score, int BestRank)
    {
        // Ties: the better single rank, then the later message (sessions have time-ordered ids; then the higher sequence).
        public static readonly Comparison<FusedHit> BestFirst = static (a, b) =>
        {
            int c = b.Score.CompareTo(a.Score);
            if (c == 0)
            {
                c = a.BestRank.CompareTo(b.BestRank);
            }

            if (c == 0)
            {
                c = b.SessionId.CompareTo(a.SessionId);
            }

            return c != 0 ? c : b.Sequence.CompareTo(a.Sequence);
        };
    }
}

/// <summary>What one batch of the embedding backlog did.</summary>
/// <param name="Read">How many messages and summaries the batch read from the backlog (0: the backlog was empty).</param>
/// <param name="Embedded">How many vectors it stored (fewer when targets changed or went away meanwhile).</param>
public sealed record EmbeddingBatchResult(int Read, int Embedded);
