namespace SessionKit.Storage;

/// <summary>
/// One store's cache of users' message vectors, per user and model, bounded in bytes with least-recently-used eviction.
/// An entry is used only while the backend reports the same embedding version for its user (see
/// <see cref="SessionStore.ReadEmbeddingVersionCoreAsync"/>), so a change made through any store instance or process is
/// seen by the next search.
/// </summary>
internal sealed class VectorCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string User, string Model), LinkedListNode<UserVectors>> _entries = [];
    private readonly LinkedList<UserVectors> _recent = [];
    private long _capacity;
    private long _bytes;

    public VectorCache(long capacity) => _capacity = capacity;

    public long Capacity
    {
        get => Volatile.Read(ref _capacity);
        set
        {
            lock (_gate)
            {
                _capacity = value;
                TrimLocked();
            }
        }
    }

    /// <summary>How many bytes the cached vectors and their keys take.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The user's vectors of <paramref name="modelId"/> if cached at <paramref name="version"/>; a stale entry is dropped.</summary>
    public UserVectors? Get(string userId, string modelId, long version)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue((userId, modelId), out var node))
            {
                return null;
            }

            if (node.Value.Version != version)
            {
                RemoveLocked(node);
                return null;
            }

            _recent.Remove(node);
            _recent.AddFirst(node);
            return node.Value;
        }
    }

    /// <summary>Caches <paramref name="vectors"/> (replacing the user's entry of that model), unless it alone exceeds the capacity.</summary>
    public void Put(UserVectors vectors)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((vectors.UserId, vectors.ModelId), out var existing))
            {
                RemoveLocked(existing);
            }

            if (vectors.Bytes > _capacity)
            {
                return;
            }

            _entries[(vectors.UserId, vectors.ModelId)] = _recent.AddFirst(vectors);
            _bytes += vectors.Bytes;
            TrimLocked();
        }
    }

    /// <summary>Drops every model's entry of <paramref name="userId"/>.</summary>
    public void Evict(string userId)
    {
        lock (_gate)
        {
            for (var node = _recent.First; node is not null;)
            {
                var next = node.Next;
                if (string.Equals(node.Value.UserId, userId, StringComparison.Ordinal))
                {
                    RemoveLocked(node);
                }

                node = next;
            }
        }
    }

    /// <summary>Drops everything.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _recent.Clear();
            _bytes = 0;
        }
    }

    private void TrimLocked()
    {
        while (_bytes > _capacity && _recent.Last is { } last)
        {
            RemoveLocked(last);
        }
    }

    private void RemoveLocked(LinkedListNode<UserVectors> node)
    {
        _recent.Remove(node);
        _entries.Remove((node.Value.UserId, node.Value.ModelId));
        _bytes -= node.Value.Bytes;
    }
}
