namespace SessionKit;

/// <summary>A serialized turn on a session (see <see cref="ISessionLeaseStore.BeginTurnAsync"/>). Dispose it to end the turn.</summary>
public sealed class SessionTurn : IAsyncDisposable
{
    private readonly ISessionLeaseStore _store;
    private int _disposed;

    internal SessionTurn(ISessionLeaseStore store, SessionLease lease)
    {
        _store = store;
        Lease = lease;
    }

    /// <summary>The lease that holds the session during the turn.</summary>
    public SessionLease Lease { get; }

    /// <summary>The session.</summary>
    public Guid SessionId => Lease.SessionId;

    /// <summary>Ends the turn, letting the next one start.</summary>
    /// <returns>A task that completes when the session is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _store.ReleaseLeaseAsync(Lease).ConfigureAwait(false);
        }
    }
}
