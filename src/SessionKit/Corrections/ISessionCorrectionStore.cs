using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// Correction and rollback of a session's history: edit or delete a past message, rewind to an earlier point, fork a branch,
/// and delete a session only if nobody changed it. Implemented by every <see cref="SessionStore"/>.
/// </summary>
/// <remarks>
/// <para>Every operation is atomic and takes an optional expected version (<see cref="SessionConcurrencyException"/> on a
/// mismatch, nothing changed). Edits, deletions and rewinds increment the session's version; summaries that cover a changed
/// message are deleted in the same operation (they are rebuilt on demand) and the search index follows.</para>
/// <para>Sequences are stable: deleting a message leaves a gap (the next append still continues after
/// <see cref="Session.LastSequence"/>), while a rewind moves <see cref="Session.LastSequence"/> back, so the next append
/// continues densely after the rewind point.</para>
/// </remarks>
public interface ISessionCorrectionStore
{
    /// <summary>
    /// Replaces a message's content, keeping the previous content as a revision (see <see cref="GetMessageRevisionsAsync"/>).
    /// The token count is recomputed, the search index updated and summaries covering the message or anything after it deleted.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="sequence">The message's sequence.</param>
    /// <param name="content">The new content.</param>
    /// <param name="options">An expected version and who made the edit.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The edited message (its <see cref="SessionMessage.Revision"/> incremented) and the session at its new version.</returns>
    /// <exception cref="MessageNotFoundException">The session has no message at <paramref name="sequence"/>.</exception>
    /// <exception cref="SessionConcurrencyException"><see cref="CorrectionOptions.ExpectedVersion"/> did not match.</exception>
    Task<CorrectionResult> EditMessageAsync(Guid sessionId, long sequence, string content, CorrectionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes one message and its revisions. Its sequence is not reused: the session has a gap there.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="sequence">The message's sequence.</param>
    /// <param name="options">An expected version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session at its new version.</returns>
    /// <exception cref="MessageNotFoundException">The session has no message at <paramref name="sequence"/>.</exception>
    /// <exception cref="SessionConcurrencyException"><see cref="CorrectionOptions.ExpectedVersion"/> did not match.</exception>
    Task<Session> DeleteMessageAsync(Guid sessionId, long sequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops every message after <paramref name="toSequence"/> (with their revisions, search entries, idempotency keys and the
    /// summaries that reach past it) and sets <see cref="Session.LastSequence"/> to it, so the next append gets
    /// <paramref name="toSequence"/> + 1: the "regenerate the answer" case.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="toSequence">The last sequence to keep, from 0 (drop everything) to the session's last sequence.</param>
    /// <param name="options">An expected version.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session at its new version.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="toSequence"/> is negative or after the session's last sequence.</exception>
    /// <exception cref="SessionConcurrencyException"><see cref="CorrectionOptions.ExpectedVersion"/> did not match.</exception>
    Task<Session> RewindAsync(Guid sessionId, long toSequence, CorrectionOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a new session of the same user holding copies of the messages 1..<paramref name="atSequence"/> (new ids, same
    /// sequences, current content as revision 1) and of the summaries entirely inside that range. The source is not changed.
    /// </summary>
    /// <param name="sessionId">The session to fork.</param>
    /// <param name="atSequence">The last sequence copied, from 0 to the session's last sequence.</param>
    /// <param name="options">A title for the branch and an expected version of the source.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new session, at version 1, with <see cref="Session.ForkedFromSessionId"/> and <see cref="Session.ForkedAtSequence"/> set.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="atSequence"/> is negative or after the session's last sequence.</exception>
    /// <exception cref="SessionConcurrencyException"><see cref="ForkOptions.ExpectedVersion"/> did not match.</exception>
    Task<Session> ForkSessionAsync(Guid sessionId, long atSequence, ForkOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the earlier contents of a message, oldest first; empty when it was never edited.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="sequence">The message's sequence.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The replaced revisions, oldest first.</returns>
    /// <exception cref="MessageNotFoundException">The session has no message at <paramref name="sequence"/>.</exception>
    Task<IReadOnlyList<MessageRevision>> GetMessageRevisionsAsync(Guid sessionId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and everything stored under it, only if it is still at <paramref name="expectedVersion"/>.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="expectedVersion">The version the session must have.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if it was deleted; <see langword="false"/> if there was no such session.</returns>
    /// <exception cref="SessionConcurrencyException">The session is at another version; nothing was deleted.</exception>
    Task<bool> DeleteSessionAsync(Guid sessionId, long expectedVersion, CancellationToken cancellationToken = default);
}
