namespace SessionKit;

/// <summary>
/// Issues, validates, rotates and revokes opaque session tokens: the bearer credential a client presents to continue as a
/// user (optionally in one session, on one device).
/// </summary>
/// <remarks>
/// <para>A token is <c>sk_</c> followed by 64 base64url characters: the token id (16 bytes, not secret) and a 256-bit
/// secret from <see cref="System.Security.Cryptography.RandomNumberGenerator"/>. Only the SHA-256 of the secret is stored,
/// and it is compared in constant time.</para>
/// <para>Every invalid token — null excepted, which is a programming error and throws <see cref="ArgumentNullException"/> —
/// is treated alike: <see cref="ValidateAsync"/> returns <see cref="SessionTokenValidationResult.Invalid"/>, the throwing methods
/// throw <see cref="InvalidSessionTokenException"/>, both with the same reason, whatever was wrong.</para>
/// </remarks>
public interface ISessionTokenService
{
    /// <summary>Issues a new token for <paramref name="userId"/>.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="sessionId">The session to bind the token to (an existing session of <paramref name="userId"/>), or <see langword="null"/>.</param>
    /// <param name="deviceId">The device to bind the token to, or <see langword="null"/>; forgetting the device revokes the token.</param>
    /// <param name="lifetime">How long the token is valid; <see langword="null"/> for <see cref="SessionTokenOptions.DefaultLifetime"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token; its <see cref="IssuedSessionToken.Token"/> is shown only this once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lifetime"/> is not positive or exceeds <see cref="SessionTokenOptions.MaxLifetime"/>.</exception>
    /// <exception cref="SessionNotFoundException"><paramref name="sessionId"/> names no session; no token is stored.</exception>
    /// <exception cref="SessionAccessDeniedException"><paramref name="sessionId"/> belongs to another user; no token is stored.</exception>
    Task<IssuedSessionToken> IssueAsync(string userId, Guid? sessionId = null, string? deviceId = null, TimeSpan? lifetime = null, CancellationToken cancellationToken = default);

    /// <summary>Checks a token and returns what it grants.</summary>
    /// <param name="token">The raw token as the client presented it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The user, session and device of a valid token, or <see cref="SessionTokenValidationResult.Invalid"/>.</returns>
    Task<SessionTokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>Checks a token and returns what it grants, or throws.</summary>
    /// <param name="token">The raw token as the client presented it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The validation of a valid token.</returns>
    /// <exception cref="InvalidSessionTokenException">The token is not valid.</exception>
    Task<SessionTokenValidationResult> ValidateOrThrowAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a valid token by a new one with the same user, session, device and lifetime (counted from now); the old one
    /// stops working at once. Of concurrent rotations of one token exactly one succeeds.
    /// </summary>
    /// <param name="token">The raw token to rotate.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new token.</returns>
    /// <exception cref="InvalidSessionTokenException">The token is not valid (including: another rotation won).</exception>
    Task<IssuedSessionToken> RotateAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>Revokes a token, if it is valid.</summary>
    /// <param name="token">The raw token.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if this call revoked it; <see langword="false"/> if it was not valid.</returns>
    Task<bool> RevokeAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>Revokes every token of a user (sign out everywhere).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many tokens were revoked.</returns>
    Task<int> RevokeAllAsync(string userId, CancellationToken cancellationToken = default);
}
