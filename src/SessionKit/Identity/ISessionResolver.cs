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
    Task<SessionResolution> ResolveAsync(SessionResolutionRequest request, CancellationToken cancellationToken = default);
}
