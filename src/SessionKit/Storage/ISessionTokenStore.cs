namespace SessionKit.Storage;

/// <summary>
/// Persistence for session tokens and devices. Both built-in stores (<see cref="InMemorySessionStore"/> and the SQLite store)
/// implement it next to <see cref="ISessionStore"/>, in the same database and behind the same writer; services use it
/// through <see cref="ISessionTokenService"/> and <see cref="IDeviceRegistry"/>.
/// </summary>
/// <remarks>
/// <para>The store keeps only hashes: a token's secret as SHA-256, a device fingerprint as HMAC-SHA256. Times are passed in by
/// the caller (the services read them from their <see cref="TimeProvider"/>) and stored with tick precision, in UTC.</para>
/// <para>Every operation is atomic. Invalid arguments throw <see cref="ArgumentException"/> (or a subclass) before anything is
/// written; operations after disposal throw <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public interface ISessionTokenStore
{
    /// <summary>Stores a new token record.</summary>
    /// <param name="token">The record; its id must not exist yet, its secret hash is 32 bytes and it expires after it was created.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the record is stored.</returns>
    /// <exception cref="SessionKitException">A token with that id exists already.</exception>
    /// <exception cref="SessionNotFoundException">The record names a session that does not exist (checked atomically with the insert).</exception>
    /// <exception cref="SessionAccessDeniedException">The record names a session of another user.</exception>
    Task SaveTokenAsync(SessionTokenRecord token, CancellationToken cancellationToken = default);

    /// <summary>Finds a token record by id, whatever its state (revoked and expired ones included).</summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record, or <see langword="null"/> when there is none.</returns>
    Task<SessionTokenRecord?> FindTokenAsync(Guid tokenId, CancellationToken cancellationToken = default);

    /// <summary>Revokes one token: sets its revocation time unless it is revoked already.</summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="revokedAt">The time of revocation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if this call revoked it; <see langword="false"/> if it did not exist or was revoked already.</returns>
    Task<bool> RevokeTokenAsync(Guid tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default);

    /// <summary>Revokes every token of a user that is not revoked yet (expired ones included).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="revokedAt">The time of revocation.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many tokens this call revoked.</returns>
    Task<int> RevokeUserTokensAsync(string userId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically replaces a live token by <paramref name="replacement"/>: revokes the old one (recording the replacement's
    /// id) and stores the new one, or does neither. Of several concurrent rotations of one token exactly one succeeds.
    /// </summary>
    /// <param name="tokenId">The token to rotate away.</param>
    /// <param name="replacement">The new token, for the same user.</param>
    /// <param name="now">The time of rotation; the old token must not have expired by then.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// <see langword="true"/> if the token was rotated; <see langword="false"/> (and nothing stored) if it does not exist,
    /// was revoked or rotated already, or expired at or before <paramref name="now"/>.
    /// </returns>
    /// <exception cref="ArgumentException">The replacement is for another user than the old token.</exception>
    Task<bool> RotateTokenAsync(Guid tokenId, SessionTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a device, or updates the one with the same user and device id: a <see langword="null"/> display name or an
    /// empty fingerprint hash keeps the stored value, the first-seen time is kept and the last-seen time never goes backwards.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device as stored after the call.</returns>
    Task<DeviceRecord> UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's devices, most recently seen first.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The devices.</returns>
    Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Finds one of a user's devices by its id.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/>.</returns>
    Task<DeviceRecord?> FindDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken = default);

    /// <summary>Finds the user's most recently seen device with this fingerprint hash.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="fingerprintHash">The 32-byte keyed hash of the normalised fingerprint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The device, or <see langword="null"/>.</returns>
    Task<DeviceRecord?> FindDeviceByFingerprintAsync(string userId, ReadOnlyMemory<byte> fingerprintHash, CancellationToken cancellationToken = default);

    /// <summary>Moves a device's last-seen time forward to <paramref name="seenAt"/> (never backwards).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="seenAt">When the device was seen.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated device, or <see langword="null"/> when there is none.</returns>
    Task<DeviceRecord?> TouchDeviceAsync(string userId, string deviceId, DateTimeOffset seenAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes a device and, in the same transaction, revokes every live token bound to it.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="deviceId">The device id.</param>
    /// <param name="now">The revocation time of its tokens.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> if the device existed. Its tokens are revoked either way.</returns>
    Task<bool> ForgetDeviceAsync(string userId, string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default);
}
