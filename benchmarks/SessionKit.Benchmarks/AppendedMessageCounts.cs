namespace SessionKit.Benchmarks;

/// <summary>How many messages each target of <see cref="AppendBenchmarks"/> holds.</summary>
/// <param name="SqliteStoreSingle">In the SQLite store's single-append session.</param>
/// <param name="SqliteStoreBatch">In the SQLite store's batch-append session.</param>
/// <param name="RawSingle">In the raw table, single-insert session.</param>
/// <param name="RawBatch">In the raw table, batch-insert session.</param>
/// <param name="InMemoryStore">In the in-memory store's current session.</param>
/// <param name="LockedList">In the locked list.</param>
/// <param name="SqliteStoreSameWrites">In the SQLite store's session measured against the same-writes floor.</param>
/// <param name="RawSameWrites">In the same-writes floor's session.</param>
public sealed record AppendedMessageCounts(
    long SqliteStoreSingle,
    long SqliteStoreBatch,
    long RawSingle,
    long RawBatch,
    long InMemoryStore,
    long LockedList,
    long SqliteStoreSameWrites,
    long RawSameWrites);
