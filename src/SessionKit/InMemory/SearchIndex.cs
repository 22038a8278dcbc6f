using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// The in-memory store's full-text index: an inverted index from word stems to the messages that contain them, kept per
/// user so a search reads only the searching user's postings, with the store-wide statistics BM25 needs.
/// </summary>
/// <remarks>
/// <para>Ranking reproduces SQLite FTS5's <c>bm25()</c> as the SQLite store calls it, so both backends order hits alike:
/// each query term is scored separately (two terms with one stem count twice, as two FTS5 phrases do), idf =
/// ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6, where N counts every message in the store and n those containing the
/// stem, whoever owns them (FTS5 computes idf over the whole table); k1 = 1.2, b = 0.75. A message's length is its word
/// count plus <see cref="Bm25.ScopeTokens"/>: the SQLite index row also holds the owner's one-token user key, which FTS5
/// counts in every row's length and in the average. Ties: more recent, then greater session id, then greater sequence.</para>
/// <para>A query costs O(P + H log K): P postings of the user for the query's stems (of one session with a session
/// filter), H the matches that pass the filters, K = offset + limit + 1 kept for the page; it never scans messages that
/// do not contain a query word, nor other users' postings. Snippets are cut for the returned page only.</para>
/// <para>Indexing is off the append path: <see cref="Add"/> only queues the stored messages, and the first search after
/// them (or the removal of their session) indexes the queue in order under the index lock, so every search sees exactly
/// the index an eager add would have built — the same postings, statistics and scores — while an append costs a queue
/// entry instead of tokenizing and stemming its text.</para>
/// <para>Thread safety: one lock, held to queue an append, to drop a session, or to index the queue and score a query's
/// postings; snippets are cut outside it. Appends and deletions call in with their session's lock held, so the lock order
/// is always session, then index; a search takes only the index lock, never a session lock. (A reader-writer lock would
/// let searches overlap, but it is disposable, and disposing it under a racing call throws.)</para>
/// </remarks>
internal sealed class SearchIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Dictionary<Guid, List<Posting>>>> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, SessionDocuments> _sessions = [];
    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    private readonly List<PendingBatch> _pending = [];
    private long _documentCount;
    private long _tokenCount;

    /// <summary>Counts the words of each content.</summary>
    /// <param name="messages">The messages to index.</param>
    /// <returns>One analysis per message, in order.</returns>
    private static Analysis[] Analyze(IReadOnlyList<SessionMessage> messages)
    {
        var analyses = new Analysis[messages.Count];
        for (int i = 0; i < analyses.Length; i++)
        {
            var tokens = SearchTokenizer.Tokenize(messages[i].Content);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var token in tokens)
            {
                counts[token.Stem] = counts.GetValueOrDefault(token.Stem) + 1;
            }

            analyses[i] = new Analysis(tokens.Count, [.. counts]);
        }

        return analyses;
    }

    /// <summary>
    /// Queues stored messages of one session for indexing; call with the session's lock held, in append order. The list
    /// must not change afterwards (pass a copy of a list that will).
    /// </summary>
    /// <param name="userId">The owner of the session.</param>
    /// <param name="stored">The messages as stored (ids and sequences assigned).</param>
    public void Add(string userId, IReadOnlyList<SessionMessage> stored)
    {
        if (stored.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _pending.Add(new PendingBatch(userId, stored[0].SessionId, stored));
        }
    }

    /// <summary>Indexes the queued messages, oldest batch first; call with <see cref="_gate"/> held.</summary>
    private void IndexPending()
    {
        foreach (var batch in _pending)
        {
            IndexBatch(batch.UserId, batch.SessionId, batch.Messages, Analyze(batch.Messages));
        }

        _pending.Clear();
    }

    private void IndexBatch(string userId, Guid sessionId, IReadOnlyList<SessionMessage> stored, Analysis[] analyses)
    {
        if (!_users.TryGetValue(userId, out var postings))
        {
            postings = new Dictionary<string, Dictionary<Guid, List<Posting>>>(StringComparer.Ordinal);
            _users.Add(userId, postings);
        }

        if (!_sessions.TryGetValue(sessionId, out var documents))
        {
            documents = new SessionDocuments(userId);
            _sessions.Add(sessionId, documents);
        }

        for (int i = 0; i < stored.Count; i++)
        {
            var analysis = analyses[i];
            var document = new Document(stored[i], analysis.Length);
            documents.Documents.Add(analysis);
            _documentCount++;
            _tokenCount += analysis.Length;
            foreach (var (stem, frequency) in analysis.Frequencies)
            {
                _documentFrequency[stem] = _documentFrequency.GetValueOrDefault(stem) + 1;
                if (!postings.TryGetValue(stem, out var bySession))
                {
                    bySession = [];
                    postings.Add(stem, bySession);
                }

                if (!bySession.TryGetValue(sessionId, out var list))
                {
                    list = [];
                    bySession.Add(sessionId, list);
                }

                list.Add(new Posting(document, frequency));
            }
        }
    }

    /// <summary>Forgets every message of a session and its share of the statistics; call with the session's lock held.</summary>
    /// <param name="sessionId">The session being deleted.</param>
    public void RemoveSession(Guid sessionId)
    {
        lock (_gate)
        {
            // Its queued messages are dropped unindexed: the index ends as if they had been added and removed.
            _pending.RemoveAll(batch => batch.SessionId == sessionId);
            if (!_sessions.Remove(sessionId, out var documents))
            {
                return;
            }

            // A user whose other sessions hold only wordless messages may already have lost their (empty) postings.
            var postings = _users.GetValueOrDefault(documents.UserId);
            foreach (var analysis in documents.Documents)
            {
                _documentCount--;
                _tokenCount -= analysis.Length;
                foreach (var (stem, _) in analysis.Frequencies)
                {
                    if (--_documentFrequency[stem] == 0)
                    {
                        _documentFrequency.Remove(stem);
                    }

                    if (postings is not null && postings.TryGetValue(stem, out var bySession) && bySession.Remove(sessionId) && bySession.Count == 0)
                    {
                        postings.Remove(stem);
                    }
                }
            }

            if (postings?.Count == 0)
            {
                _users.Remove(documents.UserId);
            }
        }
    }

    /// <summary>Forgets everything.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _pending.Clear();
            _users.Clear();
            _sessions.Clear();
            _documentFrequency.Clear();
            _documentCount = 0;
            _tokenCount = 0;
        }
    }

    /// <summary>Runs a validated search (see <see cref="SessionStore.SearchAsync"/>).</summary>
    /// <param name="userId">Whose messages to search.</param>
    /// <param name="query">The filters, page and highlight markers.</param>
    /// <param name="terms">The normalized query terms.</param>
    /// <param name="offset">How many ranked hits to skip.</param>
    /// <returns>The hits of the page and the offset of the next page, if any.</returns>
    public (IReadOnlyList<SearchHit> Hits, int? NextOffset) Search(string userId, SearchQuery query, IReadOnlyList<string> terms, int offset)
    {
        var stems = new string[terms.Count];
        for (int i = 0; i < stems.Length; i++)
        {
            stems[i] = PorterStemmer.Stem(terms[i]);
        }

        int keep = offset + query.Limit + 1;
        var ranked = new PriorityQueue<Candidate, Candidate>(Math.Min(keep, 256), WorstFirst.Instance);
        lock (_gate)
        {
            IndexPending();
            if (!_users.TryGetValue(userId, out var postings) || _documentCount == 0)
            {
                return ([], null);
            }

            double averageLength = Bm25.AverageLength(_tokenCount, _documentCount);
            var scores = new Dictionary<Document, double>(ReferenceEqualityComparer.Instance);

            // Term by term, in query order, so each message's score is summed in the order FTS5 sums it.
            for (int i = 0; i < stems.Length; i++)
            {
                if (!postings.TryGetValue(stems[i], out var bySession))
                {
                    continue;
                }

                int matching = _documentFrequency[stems[i]];
                double idf = Bm25.Idf(_documentCount, matching);
                if (query.SessionId is { } sessionId)
                {
                    if (bySession.TryGetValue(sessionId, out var list))
                    {
                        Accumulate(scores, list, query, idf, averageLength);
                    }
                }
                else
                {
                    foreach (var list in bySession.Values)
                    {
                        Accumulate(scores, list, query, idf, averageLength);
                    }
                }
            }

            foreach (var (document, score) in scores)
            {
                var candidate = new Candidate(document.Message, score);
                if (ranked.Count < keep)
                {
                    ranked.Enqueue(candidate, candidate);
                }
                else
                {
                    ranked.EnqueueDequeue(candidate, candidate);
                }
            }
        }

        var best = new Candidate[ranked.Count];
        for (int i = best.Length - 1; i >= 0; i--)
        {
            best[i] = ranked.Dequeue();
        }

        int pageEnd = Math.Min(best.Length, offset + query.Limit);
        var hits = new List<SearchHit>(Math.Max(0, pageEnd - offset));
        for (int i = offset; i < pageEnd; i++)
        {
            var message = best[i].Message;
            string snippet = SearchSnippet.Build(message.Content, stems, query.HighlightStart, query.HighlightEnd);
            hits.Add(new SearchHit(message, best[i].Score, snippet));
        }

        int? next = best.Length > offset + query.Limit ? offset + query.Limit : null;
        return (hits, next);
    }

    private static void Accumulate(Dictionary<Document, double> scores, List<Posting> postings, SearchQuery query, double idf, double averageLength)
    {
        foreach (var posting in postings)
        {
            var message = posting.Document.Message;
            if ((query.Role is { } role && message.Role != role)
                || (query.Since is { } since && message.CreatedAt < since)
                || (query.Until is { } until && message.CreatedAt >= until))
            {
                continue;
            }

            double term = Bm25.Term(idf, posting.Frequency, posting.Document.Length, averageLength);
            scores[posting.Document] = scores.GetValueOrDefault(posting.Document) + term;
        }
    }

    /// <summary>What indexing needs from one message's content.</summary>
    /// <param name="Length">How many words it has.</param>
    /// <param name="Frequencies">Each distinct stem and how often it occurs.</param>
    internal sealed record Analysis(int Length, KeyValuePair<string, int>[] Frequencies);

    private sealed class Document(SessionMessage message, int length)
    {
        public SessionMessage Message { get; } = message;

        public int Length { get; } = length;
    }

    private readonly record struct Posting(Document Document, int Frequency);

    private sealed record PendingBatch(string UserId, Guid SessionId, IReadOnlyList<SessionMessage> Messages);

    private readonly record struct Candidate(SessionMessage Message, double Score);

    private sealed class SessionDocuments(string userId)
    {
        public string UserId { get; } = userId;

        public List<Analysis> Documents { get; } = [];
    }

    // Orders candidates from the worst to the best, so the queue's head is the one to drop. Best is: higher score, then
    // later CreatedAt, then greater session id (as big-endian bytes, SQLite's BLOB order), then greater sequence.
    private sealed class WorstFirst : IComparer<Candidate>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare(Candidate x, Candidate y)
        {
            int order = x.Score.CompareTo(y.Score);
            if (order == 0)
            {
                order = x.Message.CreatedAt.UtcTicks.CompareTo(y.Message.CreatedAt.UtcTicks);
            }

            if (order == 0)
            {
                order = CompareBigEndian(x.Message.SessionId, y.Message.SessionId);
            }

            return order != 0 ? order : x.Message.Sequence.CompareTo(y.Message.Sequence);
        }

        private static int CompareBigEndian(Guid x, Guid y)
        {
            Span<byte> left = stackalloc byte[16];
            Span<byte> right = stackalloc byte[16];
            x.TryWriteBytes(left, bigEndian: true, out _);
            y.TryWriteBytes(right, bigEndian: true, out _);
            return left.SequenceCompareTo(right);
        }
    }
}
