namespace SessionKit;

/// <summary>
/// Coordination between requests and agents that share a session: time-limited leases, and serialized turns built on them.
/// Leases are stored with the session, so on SQLite they hold across store instances and processes sharing the file.
/// </summary>
public interface ISessionLeaseStore
{
    /// <summary>
    /// Takes the session's lease for <paramref name="holder"/> if nobody else holds it (or their lease has lapsed); when
    /// <paramref name="holder"/> already holds it, extends it. Never waits.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="holder">Who takes it.</param>
    /// <param name="ttl">How long it lasts unless renewed.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lease, or <see langword="null"/> when someone else holds it.</returns>
    Task<SessionLease?> TryAcquireLeaseAsync(Guid sessionId, string holder, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease if it is still held by its holder.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it was still held.</returns>
    Task<bool> ReleaseLeaseAsync(SessionLease lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until this caller may run a turn on the session (read, build, reply, append) with no other turn in between, in
    /// this process or any other sharing the store. Dispose the result to end the turn.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="options">How long to wait and how long a turn may hold the session.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The turn; dispose it to let the next one start.</returns>
    /// <exception cref="SessionTurnTimeoutException">Another turn held the session for longer than <see cref="TurnOptions.Timeout"/>.</exception>
    Task<SessionTurn> BeginTurnAsync(Guid sessionId, TurnOptions? options = null, CancellationToken cancellationToken = default);
}
