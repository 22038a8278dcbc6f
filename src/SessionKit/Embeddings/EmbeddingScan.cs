using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SessionKit.Storage;

/// <summary>
/// Backend SPI: an exact nearest-neighbour search over one user's message vectors. The backend reads the user's message
/// vectors of <see cref="ModelId"/> that pass the filters (only those: another model's vectors must never be offered)
/// and hands each to <see cref="Offer(Guid, Guid, long, MessageRole, DateTimeOffset, ReadOnlySpan{byte})"/>; the scan decrypts when needed, computes the cosine similarity and keeps the
/// best. Read the vectors compactly (float32 bytes), ideally stored contiguously per user and model.
/// </summary>
public sealed class EmbeddingScan
{
    private readonly float[] _query;
    private readonly Func<Guid, ReadOnlyMemory<byte>, float[]?>? _open;
    private readonly PriorityQueue<EmbeddingMatch, EmbeddingMatch> _best;
    private readonly int _limit;
    private readonly HashSet<Guid>? _track;
    private float[]? _buffer;
    private UserVectors.Builder? _collector;

    internal EmbeddingScan(string modelId, float[] query, int limit, SearchQuery filters, Func<Guid, ReadOnlyMemory<byte>, float[]?>? open, HashSet<Guid>? track = null)
    {
        _track = track is { Count: > 0 } ? track : null;
        ModelId = modelId;
        _query = query;
        _limit = limit;
        _open = open;
        SessionId = filters.SessionId;
        Role = filters.Role;
        Since = filters.Since?.ToUniversalTime();
        Until = filters.Until?.ToUniversalTime();
        _best = new PriorityQueue<EmbeddingMatch, EmbeddingMatch>(limit + 1, EmbeddingMatch.WorstFirst);
    }

    /// <summary>Only vectors of this model.</summary>
    public string ModelId { get; }

    /// <summary>Only messages of this session, when set.</summary>
    public Guid? SessionId { get; }

    /// <summary>Only messages of this role, when set.</summary>
    public MessageRole? Role { get; }

    /// <summary>Only messages created at or after this time (UTC), when set.</summary>
    public DateTimeOffset? Since { get; }

    /// <summary>Only messages created before this time (UTC), when set.</summary>
    public DateTimeOffset? Until { get; }

    /// <summary>How many vectors were offered.</summary>
    public int Scanned { get; private set; }

    /// <summary>Considers one stored message vector.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="sessionId">The message's session.</param>
    /// <param name="sequence">The message's sequence.</param>
    /// <param name="vector">The stored bytes (<see cref="StoredEmbedding.Vector"/>).</param>
    /// <remarks>Prefer the overload with the message's role and creation time: with them the base class can cache the
    /// user's vectors and apply role and time filters itself.</remarks>
    public void Offer(Guid messageId, Guid sessionId, long sequence, ReadOnlySpan<byte> vector) => Offer(messageId, sessionId, sequence, null, null, vector);

    /// <summary>Considers one stored message vector, with the message's role and creation time.</summary>
    /// <param name="messageId">The message id.</param>
    /// <param name="sessionId">The message's session.</param>
    /// <param name="sequence">The message's sequence.</param>
    /// <param name="role">The message's role.</param>
    /// <param name="createdAt">When the message was created.</param>
    /// <param name="vector">The stored bytes (<see cref="StoredEmbedding.Vector"/>).</param>
    public void Offer(Guid messageId, Guid sessionId, long sequence, MessageRole role, DateTimeOffset createdAt, ReadOnlySpan<byte> vector) =>
        Offer(messageId, sessionId, sequence, (MessageRole?)role, (DateTimeOffset?)createdAt, vector);

    private void Offer(Guid messageId, Guid sessionId, long sequence, MessageRole? role, DateTimeOffset? createdAt, ReadOnlySpan<byte> vector)
    {
        Scanned++;
        ReadOnlySpan<float> floats;
        if (_open is not null)
        {
            var opened = _open(messageId, vector.ToArray());
            if (opened is null)
            {
                return;
            }

            floats = opened;
        }
        else
        {
            if (vector.Length % sizeof(float) != 0)
            {
                return;
            }

            floats = Floats(vector);
        }

        if (_collector is not null)
        {
            _collector.Add(messageId, sessionId, sequence, role, createdAt, floats);
            return;
        }

        if (floats.Length != _query.Length)
        {
            return;
        }

        Consider(messageId, sessionId, sequence, VectorMath.Dot(_query, floats));
    }

    /// <summary>Keeps a scored message if it is among the best so far (and records its score when tracked).</summary>
    internal void Consider(Guid messageId, Guid sessionId, long sequence, float score)
    {
        if (_track is not null && _track.Contains(messageId))
        {
            TrackedScores[messageId] = score;
        }

        if (_best.Count >= _limit && score < _best.Peek().Score)
        {
            return;
        }

        var match = new EmbeddingMatch(messageId, sessionId, sequence, score);
        if (_best.Count < _limit)
        {
            _best.Enqueue(match, match);
        }
        else if (EmbeddingMatch.WorstFirst.Compare(match, _best.Peek()) > 0)
        {
            _best.EnqueueDequeue(match, match);
        }
    }

    /// <summary>The normalized query vector.</summary>
    internal float[] Query => _query;

    /// <summary>The query's dimensions (vectors of another length are passed over).</summary>
    internal int QueryDimensions => _query.Length;

    /// <summary>
    /// A scan that ranks nothing: it collects every offered vector of <paramref name="modelId"/> (opened when sealed) into
    /// <paramref name="collector"/>, for the cache. No filters are set, so the backend offers all of the user's vectors.
    /// </summary>
    internal static EmbeddingScan Collecting(string modelId, Func<Guid, ReadOnlyMemory<byte>, float[]?>? open, UserVectors.Builder collector) =>
        new(modelId, [], 1, new SearchQuery { Text = string.Empty }, open) { _collector = collector };

    /// <summary>The cosine of each tracked message that was offered (hybrid search scores its lexical hits by meaning too).</summary>
    internal Dictionary<Guid, float> TrackedScores { get; } = [];

    /// <summary>The best matches, best first.</summary>
    internal List<EmbeddingMatch> Results()
    {
        var results = new List<EmbeddingMatch>(_best.Count);
        while (_best.TryDequeue(out var match, out _))
        {
            results.Add(match);
        }

        results.Reverse();
        return results;
    }

    private ReadOnlySpan<float> Floats(ReadOnlySpan<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.Cast<byte, float>(bytes);
        }

        if (_buffer is null || _buffer.Length != bytes.Length / sizeof(float))
        {
            _buffer = new float[bytes.Length / sizeof(float)];
        }

        for (int i = 0; i < _buffer.Length; i++)
        {
            _buffer[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return _buffer;
    }
}

/// <summary>One message vector's similarity to the query.</summary>
internal readonly record struct EmbeddingMatch(Guid MessageId, Guid SessionId, long Sequence, float Score)
{
    /// <summary>Orders the worst match first: lower score, then older session, then lower sequence, then smaller id.</summary>
    public static readonly IComparer<EmbeddingMatch> WorstFirst = Comparer<EmbeddingMatch>.Create(static (a, b) =>
    {
        int c = a.Score.CompareTo(b.Score);
        if (c != 0)
        {
            return c;
        }

        c = a.SessionId.CompareTo(b.SessionId);
        if (c != 0)
        {
            return c;
        }

        c = a.Sequence.CompareTo(b.Sequence);
        return c != 0 ? c : a.MessageId.CompareTo(b.MessageId);
    });
}
