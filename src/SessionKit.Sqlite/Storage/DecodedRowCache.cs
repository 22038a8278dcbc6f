namespace SessionKit.Sqlite;

/// <summary>
/// Rows already decoded, by id, in a fixed number of slots (a direct-mapped cache: a new row replaces whatever shared its
/// slot). Lock-free: a slot holds a reference to an immutable row, written and read whole. A caller uses a cached row
/// only after checking it against the identity it has just read from the database in its own transaction (id and
/// revision, session, position), so a stale entry is never returned, only overwritten.
/// </summary>
/// <typeparam name="T">An immutable row type.</typeparam>
internal sealed class DecodedRowCache<T>
    where T : class
{
    private readonly T?[] _slots;

    /// <summary>Creates a cache of <paramref name="size"/> slots, a power of two.</summary>
    public DecodedRowCache(int size)
    {
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be a positive power of two.");
        }

        _slots = new T?[size];
    }

    /// <summary>The row cached in <paramref name="id"/>'s slot, which may be another row's: check it.</summary>
    public T? Get(Guid id) => Volatile.Read(ref _slots[Slot(id)]);

    /// <summary>Caches <paramref name="row"/> in <paramref name="id"/>'s slot.</summary>
    public void Set(Guid id, T row) => Volatile.Write(ref _slots[Slot(id)], row);

    /// <summary>Forgets every row (after an erase or deletion, so their content does not linger in memory).</summary>
    public void Clear() => Array.Clear(_slots);

    private int Slot(Guid id) => id.GetHashCode() & (_slots.Length - 1);
}
