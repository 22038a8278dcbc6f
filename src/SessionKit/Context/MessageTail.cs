using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// A session's messages read backwards from the newest, page by page and only as far as asked, with each message's token
/// cost (the cached count when its encoding matches). This is what keeps a build's cost tied to the budget, not the history.
/// The newest messages of a <see cref="ContextSnapshot"/> are the first page; reading goes on below what it holds.
/// </summary>
internal sealed class MessageTail
{
    private const int FirstPage = 32;
    private const int MaxPage = 512;

    private readonly ISessionStore _store;
    private readonly ITokenCounter _counter;
    private readonly Guid _sessionId;
    private readonly List<TailMessage> _newestFirst;
    private long _nextHigh;
    private int _page = FirstPage;

    public MessageTail(ISessionStore store, ITokenCounter counter, Guid sessionId, long lastSequence, ContextSnapshot? snapshot = null)
    {
        _store = store;
        _counter = counter;
        _sessionId = sessionId;
        _nextHigh = lastSequence;
        if (snapshot is null)
        {
            _newestFirst = [];
            return;
        }

        var newest = snapshot.NewestMessages;
        _newestFirst = new List<TailMessage>(Math.Max(FirstPage, newest.Count + 8));
        for (int i = 0; i < newest.Count; i++)
        {
            _newestFirst.Add(new TailMessage(newest[i], TokenCounting.CountMessageCached(counter, newest[i])));
        }

        _nextHigh = Math.Min(lastSequence, snapshot.MessagesFrom - 1);
    }

    public int Count => _newestFirst.Count;

    public Guid SessionId => _sessionId;

    public TailMessage this[int index] => _newestFirst[index];

    /// <summary>Reads one more (older) page; <see langword="false"/> when the start of the session was reached.</summary>
    public async Task<bool> LoadMoreAsync(CancellationToken cancellationToken)
    {
        while (_nextHigh >= 1)
        {
            long from = Math.Max(1, _nextHigh - _page + 1);
            var page = await _store.GetMessagesAsync(_sessionId, from, _nextHigh, cancellationToken).ConfigureAwait(false);
            _nextHigh = from - 1;
            _page = Math.Min(_page * 2, MaxPage);
            for (int i = page.Count - 1; i >= 0; i--)
            {
                _newestFirst.Add(new TailMessage(page[i], TokenCounting.CountMessageCached(_counter, page[i])));
            }

            if (page.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Makes sure message <paramref name="index"/> (newest first) is loaded; <see langword="false"/> if the session has fewer.</summary>
    /// <remarks>Completes synchronously, without a state machine, when the message is already loaded (the common case: a build
    /// asks for each message of its window several times).</remarks>
    public ValueTask<bool> EnsureAsync(int index, CancellationToken cancellationToken) =>
        index < _newestFirst.Count ? new ValueTask<bool>(true) : new ValueTask<bool>(LoadUntilAsync(index, cancellationToken));

    private async Task<bool> LoadUntilAsync(int index, CancellationToken cancellationToken)
    {
        while (index >= _newestFirst.Count)
        {
            if (!await LoadMoreAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A message of the tail with its token cost.</summary>
internal readonly record struct TailMessage(SessionMessage Message, int Tokens)
{
    public long Sequence => Message.Sequence;
}
