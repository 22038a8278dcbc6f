using System.Runtime.CompilerServices;

namespace SessionKit.Testing;

/// <summary>Passes every call to another store and counts how many messages and summaries were read through it.</summary>
public sealed class ReadCountingStore(ISessionStore inner) : ISessionStore
{
    private long _messagesRead;
    private long _summariesRead;

    public long MessagesRead => Interlocked.Read(ref _messagesRead);

    public long SummariesRead => Interlocked.Read(ref _summariesRead);

    public Task<Session> CreateSessionAsync(string userId, SessionCreateOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.CreateSessionAsync(userId, options, cancellationToken);

    public Task<Session> GetSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) => inner.GetSessionAsync(sessionId, cancellationToken);

    public Task<Session?> FindSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) => inner.FindSessionAsync(sessionId, cancellationToken);

    public Task<SessionPage> ListSessionsAsync(string userId, SessionListOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.ListSessionsAsync(userId, options, cancellationToken);

    public Task<Session> UpdateSessionAsync(Guid sessionId, SessionUpdate update, CancellationToken cancellationToken = default) =>
        inner.UpdateSessionAsync(sessionId, update, cancellationToken);

    public Task<bool> DeleteSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) => inner.DeleteSessionAsync(sessionId, cancellationToken);

    public Task<AppendResult> AppendMessagesAsync(Guid sessionId, IReadOnlyList<NewMessage> messages, AppendOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.AppendMessagesAsync(sessionId, messages, options, cancellationToken);

    public async Task<IReadOnlyList<SessionMessage>> GetLastMessagesAsync(Guid sessionId, int count, CancellationToken cancellationToken = default) =>
        CountMessages(await inner.GetLastMessagesAsync(sessionId, count, cancellationToken));

    public async Task<IReadOnlyList<SessionMessage>> GetMessagesByTimeAsync(Guid sessionId, MessageTimeQuery query, CancellationToken cancellationToken = default) =>
        CountMessages(await inner.GetMessagesByTimeAsync(sessionId, query, cancellationToken));

    public async Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(Guid sessionId, long fromSequence, long toSequence, CancellationToken cancellationToken = default) =>
        CountMessages(await inner.GetMessagesAsync(sessionId, fromSequence, toSequence, cancellationToken));

    public async IAsyncEnumerable<SessionMessage> ReadAllMessagesAsync(Guid sessionId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in inner.ReadAllMessagesAsync(sessionId, cancellationToken))
        {
            Interlocked.Increment(ref _messagesRead);
            yield return message;
        }
    }

    public Task<long> CountMessagesAsync(Guid sessionId, CancellationToken cancellationToken = default) => inner.CountMessagesAsync(sessionId, cancellationToken);

    public Task<SessionSummary> SaveSummaryAsync(Guid sessionId, NewSummary summary, CancellationToken cancellationToken = default) =>
        inner.SaveSummaryAsync(sessionId, summary, cancellationToken);

    public async Task<IReadOnlyList<SessionSummary>> GetSummariesAsync(Guid sessionId, SummaryQuery? query = null, CancellationToken cancellationToken = default)
    {
        var summaries = await inner.GetSummariesAsync(sessionId, query, cancellationToken);
        Interlocked.Add(ref _summariesRead, summaries.Count);
        return summaries;
    }

    public Task<int> InvalidateSummariesAsync(Guid sessionId, long fromSequence, CancellationToken cancellationToken = default) =>
        inner.InvalidateSummariesAsync(sessionId, fromSequence, cancellationToken);

    public async Task<SearchPage> SearchAsync(string userId, SearchQuery query, CancellationToken cancellationToken = default)
    {
        var results = await inner.SearchAsync(userId, query, cancellationToken);
        Interlocked.Add(ref _messagesRead, results.Items.Count);
        return results;
    }

    private IReadOnlyList<SessionMessage> CountMessages(IReadOnlyList<SessionMessage> messages)
    {
        Interlocked.Add(ref _messagesRead, messages.Count);
        return messages;
    }

    public Task<CorrectionResult> EditMessageAsync(Guid sessionId, long sequence, string content, CorrectionOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.EditMessageAsync(sessionId, sequence, content, options, cancellationToken);

    public Task<Session> DeleteMessageAsync(Guid sessionId, long sequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.DeleteMessageAsync(sessionId, sequence, options, cancellationToken);

    public Task<Session> RewindAsync(Guid sessionId, long toSequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.RewindAsync(sessionId, toSequence, options, cancellationToken);

    public Task<Session> ForkSessionAsync(Guid sessionId, long atSequence, ForkOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.ForkSessionAsync(sessionId, atSequence, options, cancellationToken);

    public Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsAsync(Guid sessionId, long sequence, CancellationToken cancellationToken = default) =>
        inner.GetMessageRevisionsAsync(sessionId, sequence, cancellationToken);

    public Task<bool> DeleteSessionAsync(Guid sessionId, long expectedVersion, CancellationToken cancellationToken = default) =>
        inner.DeleteSessionAsync(sessionId, expectedVersion, cancellationToken);

    public Task<StateEntry?> GetStateAsync(StateScope scope, string? scopeId, string key, CancellationToken cancellationToken = default) =>
        inner.GetStateAsync(scope, scopeId, key, cancellationToken);

    public Task<StateEntry> SetStateAsync(StateScope scope, string? scopeId, string key, string value, StateWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.SetStateAsync(scope, scopeId, key, value, options, cancellationToken);

    public Task<bool> DeleteStateAsync(StateScope scope, string? scopeId, string key, StateWriteOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.DeleteStateAsync(scope, scopeId, key, options, cancellationToken);

    public Task<IReadOnlyList<StateEntry>> ListStateAsync(StateScope scope, string? scopeId, CancellationToken cancellationToken = default) =>
        inner.ListStateAsync(scope, scopeId, cancellationToken);

    public IAsyncEnumerable<SessionChange> WatchChangesAsync(Guid sessionId, long afterVersion, CancellationToken cancellationToken = default) =>
        inner.WatchChangesAsync(sessionId, afterVersion, cancellationToken);

    public Task<SessionLease?> TryAcquireLeaseAsync(Guid sessionId, string holder, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        inner.TryAcquireLeaseAsync(sessionId, holder, ttl, cancellationToken);

    public Task<bool> ReleaseLeaseAsync(SessionLease lease, CancellationToken cancellationToken = default) => inner.ReleaseLeaseAsync(lease, cancellationToken);

    public Task<SessionTurn> BeginTurnAsync(Guid sessionId, TurnOptions? options = null, CancellationToken cancellationToken = default) =>
        inner.BeginTurnAsync(sessionId, options, cancellationToken);

    public Task<EraseResult> EraseUserAsync(string userId, CancellationToken cancellationToken = default) => inner.EraseUserAsync(userId, cancellationToken);

    public Task<EraseResult> EraseSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) => inner.EraseSessionAsync(sessionId, cancellationToken);
}
