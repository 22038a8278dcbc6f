using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SessionKit.Storage;

/// <summary>
/// Backend SPI: an exact nearest-neighbour search over one user's message vectors. The backend reads the user's message
/// vectors of <see cref="ModelId"/> that pass the filters (only those: another model's vectors must never be offered)
/// and hands each to <see cref="Offer"/>; the scan decrypts when needed, computes the cosine similarity and keeps the
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
    public void Offer(Guid messageId, Guid sessionId, long sequence, ReadOnlySpan<byte> vector)
    {
        Scanned++;
        float score;
        if (_open is not null)
        {
            var opened = _open(messageId, vector.ToArray());
            if (opened is null || opened.Length != _query.Length)
            {
                return;
            }

            score = VectorMath.Dot(_query, opened);
        }
        else
        {
            if (vector.Length != _query.Length * sizeof(float))
            {
                return;
            }

            score = VectorMath.Dot(_query, Floats(vector));
        }

        if (_track is not null && _track.Contains(messageId))
        {
            TrackedScores[messageId] = score;
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

        _buffer ??= new float[bytes.Length / sizeof(float)];
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
