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
/// do not contain a query word, nor other users' postings. Snippets are cut for the returned page only. A bounded query
/// (hybrid search's word half, the context builder's recall) ranks only the newest <see cref="BoundedRows"/> messages in
/// scope and older ones holding a rare query word, at O(bound × words per message + rare postings) however long the
/// history (see <see cref="RankBounded"/>).</para>
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
    /// <summary>The default <see cref="BoundedRows"/>, as the SQLite and PostgreSQL stores bound theirs.</summary>
    internal const int DefaultBoundedRows = 1_000;

    private readonly Dictionary<string, UserDocuments> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, SessionDocuments> _sessions = [];
    private readonly Dictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    private readonly List<PendingBatch> _pending = [];
    private long _documentCount;
    private long _tokenCount;
    private int _boundedRows = DefaultBoundedRows;

    /// <summary>
    /// How many of the newest messages in scope (the user's, or the one session's) a bounded search ranks besides older
    /// ones holding a rare query word; also the store-wide message count up to which query words count as rare. Tests lower it.
    /// </summary>
    internal int BoundedRows
    {
        get => Volatile.Read(ref _boundedRows);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _boundedRows, value);
        }
    }

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

            KeyValuePair<string, int>[] frequencies = [.. counts];
            var hashes = new int[frequencies.Length];
            for (int f = 0; f < hashes.Length; f++)
            {
                hashes[f] = frequencies[f].Key.GetHashCode(StringComparison.Ordinal);
            }

            analyses[i] = new Analysis(tokens.Count, frequencies, hashes);
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
        if (!_users.TryGetValue(userId, out var user))
        {
            user = new UserDocuments();
            _users.Add(userId, user);
        }

        if (!_sessions.TryGetValue(sessionId, out var documents))
        {
            documents = new SessionDocuments(userId, sessionId);
            _sessions.Add(sessionId, documents);
        }

        var postings = user.Postings;
        for (int i = 0; i < stored.Count; i++)
        {
            var analysis = analyses[i];
            var document = new Document(stored[i], analysis, documents);
            documents.Documents.Add(document);
            user.Recent.Add(document);
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

            var user = _users[documents.UserId];
            foreach (var document in documents.Documents)
            {
                var analysis = document.Analysis;
                user.Recent.Remove(document);
                _documentCount--;
                _tokenCount -= analysis.Length;
                foreach (var (stem, _) in analysis.Frequencies)
                {
                    if (--_documentFrequency[stem] == 0)
                    {
                        _documentFrequency.Remove(stem);
                    }

                    if (user.Postings.TryGetValue(stem, out var bySession) && bySession.Remove(sessionId) && bySession.Count == 0)
                    {
                        user.Postings.Remove(stem);
                    }
                }
            }

            if (user.Recent.Count == 0)
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

        // The bound applies as on SQLite: hybrid's word half and recall, without role or time filters.
        bool bounded = query is { Bounded: true, Role: null, Since: null, Until: null };
        int keep = offset + query.Limit + 1;
        var ranked = new PriorityQueue<Candidate, Candidate>(Math.Min(keep, 256), WorstFirst.Instance);
        lock (_gate)
        {
            IndexPending();
            if (!_users.TryGetValue(userId, out var user) || _documentCount == 0)
            {
                return ([], null);
            }

            double averageLength = Bm25.AverageLength(_tokenCount, _documentCount);
            if (bounded)
            {
                RankBounded(user, userId, query.SessionId, stems, averageLength, ranked, keep);
            }
            else
            {
                RankAll(user.Postings, query, stems, averageLength, ranked, keep);
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
            // A bounded search cuts no snippets, as on SQLite: its callers cut them, if at all, for the hits they return.
            var message = best[i].Document.Message;
            string snippet = bounded ? string.Empty : SearchSnippet.Build(message.Content, stems, query.HighlightStart, query.HighlightEnd);
            hits.Add(new SearchHit(message, best[i].Score, snippet));
        }

        int? next = best.Length > offset + query.Limit ? offset + query.Limit : null;
        return (hits, next);
    }

    // Every match of the user (of the session, with a session filter): O(P + H log K).
    private void RankAll(Dictionary<string, Dictionary<Guid, List<Posting>>> postings, SearchQuery query, string[] stems, double averageLength, PriorityQueue<Candidate, Candidate> ranked, int keep)
    {
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
            Keep(ranked, new Candidate(document, score), keep);
        }
    }

    /// <summary>
    /// The bounded search (SQLite's and PostgreSQL's contract): the matches among the newest <see cref="BoundedRows"/>
    /// messages in scope (newest by creation time, then session id, then sequence: the order score ties are broken in),
    /// plus every older match holding one of the query's rare words (its terms taken rarest first for as long as they occur
    /// in at most <see cref="BoundedRows"/> messages of the whole store together). Each candidate's score is summed from its
    /// own word counts, term by term in query order, with the same <see cref="Bm25"/> inputs as <see cref="RankAll"/>: equal
    /// to the unbounded score, so whenever the scope holds at most the bound the ranking is exactly the unbounded one. The
    /// work is O(bound × words per message + rare postings), whatever the length of the history.
    /// </summary>
    private void RankBounded(UserDocuments user, string userId, Guid? sessionId, string[] stems, double averageLength, PriorityQueue<Candidate, Candidate> ranked, int keep)
    {
        int bound = BoundedRows;
        var scorer = new BoundedScorer(stems, _documentFrequency, _documentCount, averageLength);

        // The window: the newest `bound` messages in scope; `cutoff` is its oldest when older messages exist.
        Document? cutoff = null;
        if (sessionId is { } only)
        {
            if (!_sessions.TryGetValue(only, out var session) || !string.Equals(session.UserId, userId, StringComparison.Ordinal))
            {
                return;
            }

            var documents = session.Documents;
            int from = Math.Max(0, documents.Count - bound);
            for (int i = documents.Count - 1; i >= from; i--)
            {
                scorer.Offer(documents[i], ranked, keep);
            }

            cutoff = from > 0 ? documents[from] : null;
        }
        else
        {
            int taken = 0;
            foreach (var document in user.Recent.Reverse())
            {
                scorer.Offer(document, ranked, keep);
                if (++taken == bound)
                {
                    cutoff = user.Recent.Count > bound ? document : null;
                    break;
                }
            }
        }

        if (cutoff is null)
        {
            return;
        }

        // Older messages only for the rare terms: rarest first while their messages, store-wide, stay within the bound.
        var order = new (long Documents, int Index)[stems.Length];
        for (int i = 0; i < stems.Length; i++)
        {
            order[i] = (_documentFrequency.GetValueOrDefault(stems[i]), i);
        }

        var rare = new HashSet<string>(StringComparer.Ordinal);
        foreach (int index in Bm25.RareTerms(order, bound))
        {
            rare.Add(stems[index]);
        }

        var seen = new HashSet<Document>(ReferenceEqualityComparer.Instance);
        foreach (var stem in rare)
        {
            if (!user.Postings.TryGetValue(stem, out var bySession))
            {
                continue;
            }

            if (sessionId is { } within)
            {
                if (bySession.TryGetValue(within, out var list))
                {
                    OfferOlder(list, cutoff, seen, scorer, ranked, keep);
                }
            }
            else
            {
                foreach (var list in bySession.Values)
                {
                    OfferOlder(list, cutoff, seen, scorer, ranked, keep);
                }
            }
        }
    }

    private static void OfferOlder(List<Posting> postings, Document cutoff, HashSet<Document> seen, BoundedScorer scorer, PriorityQueue<Candidate, Candidate> ranked, int keep)
    {
        foreach (var posting in postings)
        {
            if (NewestLast.Instance.Compare(posting.Document, cutoff) < 0 && seen.Add(posting.Document))
            {
                scorer.Offer(posting.Document, ranked, keep);
            }
        }
    }

    private static void Keep(PriorityQueue<Candidate, Candidate> ranked, Candidate candidate, int keep)
    {
        if (ranked.Count < keep)
        {
            ranked.Enqueue(candidate, candidate);
        }
        else
        {
            ranked.EnqueueDequeue(candidate, candidate);
        }
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
    /// <param name="Hashes">Each distinct stem's ordinal hash code, in the order of <paramref name="Frequencies"/>: a bounded
    /// search tests a message's stems against the query's by these, without hashing strings per search.</param>
    internal sealed record Analysis(int Length, KeyValuePair<string, int>[] Frequencies, int[] Hashes);

    /// <summary>
    /// Scores a bounded search's candidates from their own word counts. The query's distinct stems are kept in a small
    /// open-addressing table keyed by the stems' hash codes, which the index holds per message, so testing a message's
    /// stems costs a probe each and a string comparison only on a hash match.
    /// </summary>
    private sealed class BoundedScorer
    {
        private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
        private readonly int[] _slotOfTerm;
        private readonly double[] _idf;
        private readonly int[] _frequencies;
        private readonly int[] _tableHash;
        private readonly int[] _tableSlot;
        private readonly string[] _slotStems;
        private readonly int _mask;
        private readonly double _averageLength;

        public BoundedScorer(string[] stems, Dictionary<string, int> documentFrequency, long documentCount, double averageLength)
        {
            _averageLength = averageLength;
            _slotOfTerm = new int[stems.Length];
            _idf = new double[stems.Length];
            for (int i = 0; i < stems.Length; i++)
            {
                string stem = stems[i];
                if (!_slots.TryGetValue(stem, out int slot))
                {
                    slot = _slots.Count;
                    _slots.Add(stem, slot);
                }

                _slotOfTerm[i] = slot;
                int matching = documentFrequency.GetValueOrDefault(stem);
                _idf[i] = matching == 0 ? 0 : Bm25.Idf(documentCount, matching);
            }

            _frequencies = new int[_slots.Count];
            _slotStems = new string[_slots.Count];
            int size = 16;
            while (size < _slots.Count * 4)
            {
                size *= 2;
            }

            _mask = size - 1;
            _tableHash = new int[size];
            _tableSlot = new int[size];
            foreach (var (stem, slot) in _slots)
            {
                _slotStems[slot] = stem;
                int hash = stem.GetHashCode(StringComparison.Ordinal);
                int at = hash & _mask;
                while (_tableSlot[at] != 0)
                {
                    at = (at + 1) & _mask;
                }

                _tableHash[at] = hash;
                _tableSlot[at] = slot + 1;
            }
        }

        // The query slot of a stem with this hash code, or -1.
        private int Find(int hash, string stem)
        {
            int at = hash & _mask;
            int entry;
            while ((entry = _tableSlot[at]) != 0)
            {
                if (_tableHash[at] == hash && string.Equals(_slotStems[entry - 1], stem, StringComparison.Ordinal))
                {
                    return entry - 1;
                }

                at = (at + 1) & _mask;
            }

            return -1;
        }

        /// <summary>Ranks <paramref name="document"/> if it holds a query term.</summary>
        public void Offer(Document document, PriorityQueue<Candidate, Candidate> ranked, int keep)
        {
            Array.Clear(_frequencies);
            bool any = false;
            var stems = document.Analysis.Frequencies;
            var hashes = document.Analysis.Hashes;
            for (int j = 0; j < stems.Length; j++)
            {
                int slot = Find(hashes[j], stems[j].Key);
                if (slot >= 0)
                {
                    _frequencies[slot] = stems[j].Value;
                    any = true;
                }
            }

            if (!any)
            {
                return;
            }

            // Term by term in query order from 0, as RankAll accumulates: the same sum, bit for bit.
            double score = 0;
            for (int i = 0; i < _slotOfTerm.Length; i++)
            {
                int frequency = _frequencies[_slotOfTerm[i]];
                if (frequency > 0)
                {
                    score += Bm25.Term(_idf[i], frequency, document.Length, _averageLength);
                }
            }

            Keep(ranked, new Candidate(document, score), keep);
        }
    }

    private sealed class Document(SessionMessage message, Analysis analysis, SessionDocuments session)
    {
        public SessionMessage Message { get; } = message;

        public Analysis Analysis { get; } = analysis;

        public int Length => Analysis.Length;

        public SessionDocuments Session { get; } = session;
    }

    private readonly record struct Posting(Document Document, int Frequency);

    private sealed record PendingBatch(string UserId, Guid SessionId, IReadOnlyList<SessionMessage> Messages);

    private readonly record struct Candidate(Document Document, double Score);

    private sealed class SessionDocuments
    {
        public SessionDocuments(string userId, Guid sessionId)
        {
            UserId = userId;
            Span<byte> bytes = stackalloc byte[16];
            sessionId.TryWriteBytes(bytes, bigEndian: true, out _);
            IdHigh = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
            IdLow = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        }

        public string UserId { get; }

        // The session id as two big-endian halves: comparing them compares the id as SQLite compares its BLOB.
        public ulong IdHigh { get; }

        public ulong IdLow { get; }

        /// <summary>The session's indexed messages in sequence order.</summary>
        public List<Document> Documents { get; } = [];
    }

    /// <summary>One user's postings (by stem, then session) and every indexed message of the user from oldest to newest.</summary>
    private sealed class UserDocuments
    {
        public Dictionary<string, Dictionary<Guid, List<Posting>>> Postings { get; } = new(StringComparer.Ordinal);

        public SortedSet<Document> Recent { get; } = new(NewestLast.Instance);
    }

    // Oldest first by creation time, then session id (as big-endian bytes), then sequence: the tie-break order of ranking,
    // so "newer" means the same in the bound as among equal scores. Unique: a session holds one message per sequence.
    private sealed class NewestLast : IComparer<Document>
    {
        public static readonly NewestLast Instance = new();

        public int Compare(Document? x, Document? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            int order = x.Message.CreatedAt.UtcTicks.CompareTo(y.Message.CreatedAt.UtcTicks);
            if (order == 0)
            {
                order = x.Session.IdHigh.CompareTo(y.Session.IdHigh);
            }

            if (order == 0)
            {
                order = x.Session.IdLow.CompareTo(y.Session.IdLow);
            }

            return order != 0 ? order : x.Message.Sequence.CompareTo(y.Message.Sequence);
        }
    }

    // Orders candidates from the worst to the best, so the queue's head is the one to drop. Best is: higher score, then
    // newer in NewestLast's order (later CreatedAt, then greater session id as big-endian bytes, SQLite's BLOB order, then
    // greater sequence): the one order the bound and the ties share.
    private sealed class WorstFirst : IComparer<Candidate>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare(Candidate x, Candidate y)
        {
            int order = x.Score.CompareTo(y.Score);
            return order != 0 ? order : NewestLast.Instance.Compare(x.Document, y.Document);
        }
    }
}
