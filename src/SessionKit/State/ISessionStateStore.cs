namespace SessionKit;

/// <summary>
/// Shared state for agents working on behalf of a user: key/value entries in app, user, session and temp scopes with
/// compare-and-set, and a per-session change feed so agents see each other's writes without re-reading the session.
/// </summary>
/// <remarks>
/// Scope ids: <see langword="null"/> for <see cref="StateScope.App"/>, a user id for <see cref="StateScope.User"/>, a session id
/// (any <see cref="Guid"/> format; returned in "D" format) of an existing session for <see cref="StateScope.Session"/> and
/// <see cref="StateScope.Temp"/>. Session-scoped writes increment the session's version and appear in its change feed.
/// </remarks>
public interface ISessionStateStore
{
    /// <summary>Reads an entry.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="scopeId">The scope id (see the remarks).</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    Task<StateEntry?> GetStateAsync(StateScope scope, string? scopeId, string key, CancellationToken cancellationToken = default);

    /// <summary>Writes an entry, optionally only if it is at an expected version (compare-and-set).</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="scopeId">The scope id (see the remarks).</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="options">The expected version and the writer.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored entry, at its new version.</returns>
    /// <exception cref="StateConcurrencyException">The entry is not at <see cref="StateWriteOptions.ExpectedVersion"/>; nothing changed.</exception>
    Task<StateEntry> SetStateAsync(StateScope scope, string? scopeId, string key, string value, StateWriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes an entry, optionally only if it is at an expected version.</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="scopeId">The scope id (see the remarks).</param>
    /// <param name="key">The key.</param>
    /// <param name="options">The expected version and the writer.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the entry existed.</returns>
    /// <exception cref="StateConcurrencyException">The entry is not at <see cref="StateWriteOptions.ExpectedVersion"/>; nothing changed.</exception>
    Task<bool> DeleteStateAsync(StateScope scope, string? scopeId, string key, StateWriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the entries of one scope, ordered by key (ordinal).</summary>
    /// <param name="scope">The scope.</param>
    /// <param name="scopeId">The scope id (see the remarks).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<StateEntry>> ListStateAsync(StateScope scope, string? scopeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams a session's changes with a version greater than <paramref name="afterVersion"/>, oldest first, then waits for new
    /// ones and streams them as they happen, until cancelled. Writes through this store instance wake the stream at once;
    /// writes by other instances (another process on the same SQLite file) are picked up by polling on the store's clock.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="afterVersion">Only changes after this version (0 for all).</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The changes.</returns>
    IAsyncEnumerable<SessionChange> WatchChangesAsync(Guid sessionId, long afterVersion, CancellationToken cancellationToken = default);
}
