using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// Decides which session a request belongs to — a continuation of an existing one or a new one — from what the host knows:
/// an authenticated user, a session token, a device.
/// </summary>
/// <remarks>
/// <para>In order: a valid token bound to a session still within <see cref="SessionResolverOptions.InactivityWindow"/>
/// continues that session (a token of another user than <see cref="SessionResolutionRequest.UserId"/> is ignored). Otherwise
/// the user (authenticated, or the owner of a valid token) continues their most recent session when it was active within the
/// window — from another device too, unless <see cref="SessionResolverOptions.ContinueAcrossDevices"/> is off — or starts a
/// new one, linked to the previous by <see cref="Session.ContinuesFromSessionId"/>. With no user and no valid token, a new
/// anonymous user (<c>anon:</c> followed by a GUID) gets a new session and a token bound to it.</para>
/// <para>The resolver remembers the device that last used a session in its metadata under
/// <see cref="SessionResolverOptions.DeviceMetadataKey"/>.</para>
/// </remarks>
public interface ISessionResolver
{
    /// <summary>Chooses (and if needed creates) the session for a request.</summary>
    /// <param name="request">What the host knows about the request.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session, whether it is new, why, and a token to give the client when one was issued.</returns>
    /// <exception cref="ArgumentException">An id in <paramref name="request"/> is empty or white space, or the fingerprint is malformed.</exception>
    /// <exception cref="InvalidOperationException">A fingerprint was given but no fingerprint key is configured.</exception>
    Task<SessionResolutionResult> ResolveAsync(SessionResolutionRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims an anonymous visitor's history at login: every session of the anonymous user the token belongs to becomes
    /// <paramref name="userId"/>'s (messages, summaries and search index move with them), the anonymous user's tokens are
    /// revoked, and a new token for <paramref name="userId"/> is issued bound to the session the anonymous token named.
    /// The claimed sessions join whatever history the user already had (they are merged by owner, not by content: listing,
    /// search and recall see them all); a request with the new token continues the session the visitor was in.
    /// </summary>
    /// <param name="anonymousToken">The token the anonymous visitor was given (<see cref="SessionResolutionReason.NewAnonymous"/>).</param>
    /// <param name="userId">The user who just signed in.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The session the anonymous token named, now the user's, with <see cref="SessionResolutionReason.ClaimedAnonymous"/> and the new token.</returns>
    /// <exception cref="InvalidSessionTokenException">The token is not valid (expired, revoked, forged, malformed).</exception>
    /// <exception cref="SessionAccessDeniedException">The token belongs to a signed-in user, not an anonymous one: claiming it would take over that user's history.</exception>
    /// <exception cref="NotSupportedException">The store encrypts at rest (see <see cref="ISessionAccessStore.TransferSessionsAsync"/>).</exception>
    Task<SessionResolutionResult> ClaimAnonymousAsync(string anonymousToken, string userId, CancellationToken cancellationToken = default);
}
