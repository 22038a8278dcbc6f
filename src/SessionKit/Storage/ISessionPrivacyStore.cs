namespace SessionKit.Storage;

/// <summary>
/// The privacy operations of a backend: erasing a user or a session for good, and reading what an export needs besides
/// sessions and messages. Implemented by every <see cref="SessionStore"/>.
/// </summary>
public interface ISessionPrivacyStore
{
    /// <summary>
    /// Erases everything stored about <paramref name="userId"/>: every session with its messages, summaries and search-index
    /// entries, and every session token and device of the user. Other users' data is untouched. Backends that write files
    /// also remove the erased bytes from them (SQLite: <c>secure_delete</c>, FTS5 secure-delete and a WAL checkpoint).
    /// </summary>
    /// <param name="userId">The user to erase.</param>
    /// <param name="cancellationToken">Cancels the operation before it starts; once started, the erase is atomic.</param>
    /// <returns>What was removed; <see cref="EraseResult.None"/> for a user the store does not know (a no-op, not an error).</returns>
    Task<EraseResult> EraseUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases one session with its messages, summaries and search-index entries, removing the bytes from the backend's files
    /// as <see cref="EraseUserAsync"/> does. The session's tokens stay (they belong to the user) but no longer resolve to it.
    /// </summary>
    /// <param name="sessionId">The session to erase.</param>
    /// <param name="cancellationToken">Cancels the operation before it starts.</param>
    /// <returns>What was removed; <see cref="EraseResult.None"/> when there is no such session.</returns>
    Task<EraseResult> EraseSessionAsync(Guid sessionId, CancellationToken cancellationToken = default);

    /// <summary>Lists every session token of a user (active, expired and revoked), oldest first, for an export.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token records; an empty list for an unknown user.</returns>
    Task<IReadOnlyList<SessionTokenRecord>> ListUserTokensAsync(string userId, CancellationToken cancellationToken = default);
}
