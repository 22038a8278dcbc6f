namespace SessionKit.Storage;

/// <summary>
/// What a backend keeps for access control: grants, and the transfer of sessions from one owner to another (an anonymous
/// user's sessions claimed at login). Both built-in stores implement it; request code uses <see cref="ISessionAccessor"/>.
/// </summary>
public interface ISessionAccessStore
{
    /// <summary>Stores a grant, replacing an earlier one for the same owner, session (or all sessions) and grantee.</summary>
    /// <param name="grant">The grant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the grant is stored.</returns>
    Task SaveGrantAsync(SessionGrant grant, CancellationToken cancellationToken = default);

    /// <summary>Deletes the grant of one owner, session (or <see langword="null"/> for the all-sessions grant) and grantee.</summary>
    /// <param name="ownerUserId">The owner.</param>
    /// <param name="sessionId">The session, or <see langword="null"/> for the grant over all sessions.</param>
    /// <param name="grantee">The grantee.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if such a grant existed.</returns>
    Task<bool> DeleteGrantAsync(string ownerUserId, Guid? sessionId, SessionCaller grantee, CancellationToken cancellationToken = default);

    /// <summary>Lists every grant an owner gave, oldest first.</summary>
    /// <param name="ownerUserId">The owner.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The grants, expired ones included.</returns>
    Task<IReadOnlyList<SessionGrant>> ListGrantsAsync(string ownerUserId, CancellationToken cancellationToken = default);

    /// <summary>The grants that could let <paramref name="grantee"/> into an owner's session: the one for that session and the one over all sessions.</summary>
    /// <param name="ownerUserId">The owner.</param>
    /// <param name="grantee">The grantee.</param>
    /// <param name="sessionId">The session, or <see langword="null"/> to find only the grant over all sessions.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Zero, one or two grants, expired ones included.</returns>
    Task<IReadOnlyList<SessionGrant>> FindGrantsAsync(string ownerUserId, SessionCaller grantee, Guid? sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="toUserId"/> the owner of every session of <paramref name="fromUserId"/>, atomically, search index
    /// included; the sessions keep their ids, messages and summaries. Grants given by <paramref name="fromUserId"/> are deleted.
    /// </summary>
    /// <param name="fromUserId">The current owner.</param>
    /// <param name="toUserId">The new owner (different from <paramref name="fromUserId"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many sessions moved.</returns>
    /// <exception cref="NotSupportedException">The store encrypts at rest: its rows are sealed for their owner.</exception>
    Task<int> TransferSessionsAsync(string fromUserId, string toUserId, CancellationToken cancellationToken = default);
}
