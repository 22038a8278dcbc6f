namespace SessionKit.Storage;

/// <summary>
/// One user's message vectors of one model, opened and held contiguously (row-major, unit length as stored, so cosine is
/// a dot product), with what the search filters need per row. Immutable once built; searches read it concurrently.
/// </summary>
internal sealed class UserVectors
{
    // Per row besides the floats: message and session ids, sequence, creation time, role, and the row's entry in the
    // index by message id (a dictionary entry of a Guid key and an int value, with its hash and link).
    private const int RowOverhead = 16 + 16 + 8 + 8 + 1 + 32;
    private const byte UnknownRole = byte.MaxValue;

    private readonly float[] _data;
    private readonly Guid[] _messageIds;
    private readonly Guid[] _sessionIds;
    private readonly long[] _sequences;
    private readonly long[] _createdTicks;
    private readonly byte[] _roles;
    private readonly Dictionary<Guid, int> _rows;

    private UserVectors(string userId, string modelId, long version, int dimensions, int count, Builder builder)
    {
        UserId = userId;
        ModelId = modelId;
        Version = version;
        Dimensions = dimensions;
        Count = count;
        _data = builder.Data;
        _messageIds = builder.MessageIds;
        _sessionIds = builder.SessionIds;
        _sequences = builder.Sequences;
        _createdTicks = builder.CreatedTicks;
        _roles = builder.Roles;
        HasFilterColumns = builder.HasFilterColumns;
        _rows = new Dictionary<Guid, int>(count);
        for (int row = 0; row < count; row++)
        {
            _rows[_messageIds[row]] = row;
        }

        Bytes = ((long)_data.Length * sizeof(float)) + ((long)_messageIds.Length * RowOverhead);
    }

    public string UserId { get; }

    public string ModelId { get; }

    /// <summary>The backend's embedding version of the user when the vectors were read.</summary>
    public long Version { get; }

    public int Dimensions { get; }

    public int Count { get; }

    /// <summary>The memory held (arrays as allocated).</summary>
    public long Bytes { get; }

    /// <summary>Whether the backend offered role and creation time with every row, so role and time filters can be applied here.</summary>
    public bool HasFilterColumns { get; }

    /// <summary>Whether this entry can answer <paramref name="scan"/> exactly as the backend's own scan would.</summary>
    public bool CanServe(EmbeddingScan scan) =>
        scan.QueryDimensions == Dimensions && (HasFilterColumns || scan is { Role: null, Since: null, Until: null });

    /// <summary>Offers every row that passes the scan's filters to it, scored by a dot product with the query.</summary>
    public void Scan(EmbeddingScan scan)
    {
        var filter = new RowFilter(scan);
        var query = scan.Query;
        var data = _data.AsSpan();
        for (int row = 0; row < Count; row++)
        {
            if (!Passes(row, in filter))
            {
                continue;
            }

            float score = VectorMath.Dot(query, data.Slice(row * Dimensions, Dimensions));
            scan.Consider(_messageIds[row], _sessionIds[row], _sequences[row], score);
        }
    }

    /// <summary>
    /// The score <see cref="Scan"/> gives <paramref name="messageId"/> for <paramref name="scan"/>'s query (the same dot product),
    /// if the message has a vector here and passes <paramref name="scan"/>'s filters; hybrid search uses it for the word
    /// half's hits after a scan that ran alongside that half.
    /// </summary>
    public bool TryScore(Guid messageId, EmbeddingScan scan, out float score)
    {
        score = 0;
        if (!_rows.TryGetValue(messageId, out int row) || !Passes(row, new RowFilter(scan)))
        {
            return false;
        }

        score = VectorMath.Dot(scan.Query, _data.AsSpan(row * Dimensions, Dimensions));
        return true;
    }

    // The one row check of Scan and TryScore, over filter values computed once per scan.
    private bool Passes(int row, in RowFilter filter) =>
        (!filter.BySession || _sessionIds[row] == filter.Session)
        && (filter.Role < 0 || _roles[row] == filter.Role)
        && (!filter.ByTime || (_createdTicks[row] >= filter.Since && _createdTicks[row] < filter.Until));

    /// <summary>A scan's filters as the row check compares them: ticks for times, -1 for any role.</summary>
    private readonly struct RowFilter(EmbeddingScan scan)
    {
        public readonly bool BySession = scan.SessionId is not null;
        public readonly Guid Session = scan.SessionId ?? Guid.Empty;
        public readonly int Role = scan.Role is { } role ? (int)role : -1;
        public readonly bool ByTime = scan.Since is not null || scan.Until is not null;
        public readonly long Since = scan.Since?.UtcTicks ?? long.MinValue;
        public readonly long Until = scan.Until?.UtcTicks ?? long.MaxValue;
    }

    /// <summary>Collects rows as a backend offers them, then builds the entry.</summary>
    internal sealed class Builder
    {
        private int _count;

        public float[] Data { get; private set; } = [];

        public Guid[] MessageIds { get; private set; } = [];

        public Guid[] SessionIds { get; private set; } = [];

        public long[] Sequences { get; private set; } = [];

        public long[] CreatedTicks { get; private set; } = [];

        public byte[] Roles { get; private set; } = [];

        public bool HasFilterColumns { get; private set; } = true;

        /// <summary>The vectors' length; -1 until the first row. Rows of two lengths under one model cannot be cached.</summary>
        public int Dimensions { get; private set; } = -1;

        public bool MixedDimensions { get; private set; }

        public void Add(Guid messageId, Guid sessionId, long sequence, MessageRole? role, DateTimeOffset? createdAt, ReadOnlySpan<float> vector)
        {
            if (Dimensions < 0)
            {
                Dimensions = vector.Length;
            }
            else if (vector.Length != Dimensions)
            {
                MixedDimensions = true;
                return;
            }

            if (_count == MessageIds.Length)
            {
                Grow();
            }

            vector.CopyTo(Data.AsSpan(_count * Dimensions, Dimensions));
            MessageIds[_count] = messageId;
            SessionIds[_count] = sessionId;
            Sequences[_count] = sequence;
            if (role is { } known && createdAt is { } time)
            {
                Roles[_count] = (byte)known;
                CreatedTicks[_count] = time.UtcTicks;
            }
            else
            {
                Roles[_count] = UnknownRole;
                HasFilterColumns = false;
            }

            _count++;
        }

        /// <summary>The entry, or <see langword="null"/> when the rows cannot be cached (vectors of different lengths).</summary>
        public UserVectors? Build(string userId, string modelId, long version)
        {
            if (MixedDimensions)
            {
                return null;
            }

            // Trim so the cache's byte count is what is held.
            int dimensions = Math.Max(Dimensions, 0);
            if (_count != MessageIds.Length)
            {
                Data = Data[..(_count * dimensions)];
                MessageIds = MessageIds[.._count];
                SessionIds = SessionIds[.._count];
                Sequences = Sequences[.._count];
                CreatedTicks = CreatedTicks[.._count];
                Roles = Roles[.._count];
            }

            return new UserVectors(userId, modelId, version, dimensions, _count, this);
        }

        private void Grow()
        {
            int capacity = Math.Max(256, MessageIds.Length * 2);
            var data = new float[capacity * Dimensions];
            Data.CopyTo(data, 0);
            Data = data;
            MessageIds = [.. MessageIds, .. new Guid[capacity - MessageIds.Length]];
            SessionIds = [.. SessionIds, .. new Guid[capacity - SessionIds.Length]];
            Sequences = [.. Sequences, .. new long[capacity - Sequences.Length]];
            CreatedTicks = [.. CreatedTicks, .. new long[capacity - CreatedTicks.Length]];
            Roles = [.. Roles, .. new byte[capacity - Roles.Length]];
        }
    }
}
