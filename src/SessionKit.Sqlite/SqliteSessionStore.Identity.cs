using Microsoft.Data.Sqlite;
using SessionKit.Storage;

namespace SessionKit.Sqlite;

/// <summary>Session tokens and devices in the same database file, through the same single writer (see <see cref="ISessionTokenStore"/>).</summary>
public sealed partial class SqliteSessionStore : ISessionTokenStore
{
    private const string TokenColumns = "token_id, secret_hash, user_id, session_id, device_id, created_at, expires_at, revoked_at, replaced_by";

    private const string DeviceColumns = "user_id, device_id, display_name, fingerprint_hash, first_seen_at, last_seen_at";

    private const int SqliteConstraint = 19;

    /// <inheritdoc />
    public Task SaveTokenAsync(SessionTokenRecord token, CancellationToken cancellationToken = default)
    {
        token = IdentityStoreArguments.Token(token, Limits.MaxIdLength, nameof(token));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            token,
            static (connection, transaction, token) =>
            {
                if (token.SessionId is { } sessionId)
                {
                    // In the insert's transaction, so the session cannot change hands between the check and the insert.
                    var owner = connection.Command("SELECT user_id FROM sessions WHERE id = $id;", transaction);
                    owner.Parameters.AddWithValue("$id", SqliteRows.Id(sessionId));
                    IdentityStoreArguments.CheckTokenSession(token, owner.ExecuteScalar() as string);
                }

                InsertToken(connection, transaction, token);
                return 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<SessionTokenRecord?> FindTokenAsync(Guid tokenId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync(
            tokenId,
            static (connection, transaction, tokenId) =>
            {
                var command = connection.Command("SELECT " + TokenColumns + " FROM session_tokens WHERE token_id = $token_id;", transaction);
                command.Parameters.AddWithValue("$token_id", SqliteRows.Id(tokenId));
                using var reader = command.ExecuteReader();
                return reader.Read() ? ReadToken(reader) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RevokeTokenAsync(Guid tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            (tokenId, revokedAt),
            static (connection, transaction, state) =>
            {
                var command = connection.Command("UPDATE session_tokens SET revoked_at = $at WHERE token_id = $token_id AND revoked_at IS NULL;", transaction);
                command.Parameters.AddWithValue("$token_id", SqliteRows.Id(state.tokenId));
                command.Parameters.AddWithValue("$at", SqliteRows.Ticks(state.revokedAt));
                return command.ExecuteNonQuery() > 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> RevokeUserTokensAsync(string userId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            (userId, revokedAt),
            static (connection, transaction, state) =>
            {
                var command = connection.Command("UPDATE session_tokens SET revoked_at = $at WHERE user_id = $user_id AND revoked_at IS NULL;", transaction);
                command.Parameters.AddWithValue("$user_id", state.userId);
                command.Parameters.AddWithValue("$at", SqliteRows.Ticks(state.revokedAt));
                return command.ExecuteNonQuery();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RotateTokenAsync(Guid tokenId, SessionTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        replacement = IdentityStoreArguments.Token(replacement, Limits.MaxIdLength, nameof(replacement));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            (tokenId, replacement, now),
            static (connection, transaction, state) =>
            {
                var (tokenId, replacement, now) = state;
                var live = connection.Command(
                    "SELECT user_id FROM session_tokens WHERE token_id = $token_id AND revoked_at IS NULL AND expires_at > $now;",
                    transaction);
                live.Parameters.AddWithValue("$token_id", SqliteRows.Id(tokenId));
                live.Parameters.AddWithValue("$now", SqliteRows.Ticks(now));
                if (live.ExecuteScalar() is not string userId)
                {
                    return false;
                }

                if (!string.Equals(userId, replacement.UserId, StringComparison.Ordinal))
                {
                    throw new ArgumentException("A replacement token must be for the same user as the token it replaces.", nameof(replacement));
                }

                InsertToken(connection, transaction, replacement);
                var revoke = connection.Command("UPDATE session_tokens SET revoked_at = $at, replaced_by = $replaced_by WHERE token_id = $token_id;", transaction);
                revoke.Parameters.AddWithValue("$token_id", SqliteRows.Id(tokenId));
                revoke.Parameters.AddWithValue("$at", SqliteRows.Ticks(now));
                revoke.Parameters.AddWithValue("$replaced_by", SqliteRows.Id(replacement.TokenId));
                revoke.ExecuteNonQuery();
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeviceRecord> UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken = default)
    {
        device = IdentityStoreArguments.Device(device, Limits.MaxIdLength, nameof(device));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            device,
            static (connection, transaction, device) =>
            {
                var command = connection.Command(
                    "INSERT INTO devices (" + DeviceColumns + ") VALUES ($user_id, $device_id, $display_name, $fingerprint_hash, $first_seen_at, $last_seen_at) " +
                    "ON CONFLICT (user_id, device_id) DO UPDATE SET " +
                    "display_name = coalesce(excluded.display_name, devices.display_name), " +
                    "fingerprint_hash = coalesce(excluded.fingerprint_hash, devices.fingerprint_hash), " +
                    "last_seen_at = max(devices.last_seen_at, excluded.last_seen_at);",
                    transaction);
                command.Parameters.AddWithValue("$user_id", device.UserId);
                command.Parameters.AddWithValue("$device_id", device.DeviceId);
                command.Parameters.AddWithValue("$display_name", (object?)device.DisplayName ?? DBNull.Value);
                command.Parameters.AddWithValue("$fingerprint_hash", device.FingerprintHash.IsEmpty ? DBNull.Value : device.FingerprintHash.ToArray());
                command.Parameters.AddWithValue("$first_seen_at", SqliteRows.Ticks(device.FirstSeenAt));
                command.Parameters.AddWithValue("$last_seen_at", SqliteRows.Ticks(device.LastSeenAt));
                command.ExecuteNonQuery();
                return FindDevice(connection, transaction, device.UserId, device.DeviceId)!;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string userId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync(
            userId,
            static (connection, transaction, userId) =>
            {
                var command = connection.Command(
                    "SELECT " + DeviceColumns + " FROM devices WHERE user_id = $user_id ORDER BY last_seen_at DESC, device_id;",
                    transaction);
                command.Parameters.AddWithValue("$user_id", userId);
                var devices = new List<DeviceRecord>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    devices.Add(ReadDevice(reader));
                }

                return (IReadOnlyList<DeviceRecord>)devices;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> FindDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync((userId, deviceId), static (connection, transaction, state) => FindDevice(connection, transaction, state.userId, state.deviceId), cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> FindDeviceByFingerprintAsync(string userId, ReadOnlyMemory<byte> fingerprintHash, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.FingerprintHash(fingerprintHash, nameof(fingerprintHash));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync(
            (userId, hash: fingerprintHash.ToArray()),
            static (connection, transaction, state) =>
            {
                var command = connection.Command(
                    "SELECT " + DeviceColumns + " FROM devices WHERE user_id = $user_id AND fingerprint_hash = $fingerprint_hash ORDER BY last_seen_at DESC, device_id LIMIT 1;",
                    transaction);
                command.Parameters.AddWithValue("$user_id", state.userId);
                command.Parameters.AddWithValue("$fingerprint_hash", state.hash);
                using var reader = command.ExecuteReader();
                return reader.Read() ? ReadDevice(reader) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> TouchDeviceAsync(string userId, string deviceId, DateTimeOffset seenAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            (userId, deviceId, seenAt),
            static (connection, transaction, state) =>
            {
                var command = connection.Command(
                    "UPDATE devices SET last_seen_at = max(last_seen_at, $seen_at) WHERE user_id = $user_id AND device_id = $device_id;",
                    transaction);
                command.Parameters.AddWithValue("$user_id", state.userId);
                command.Parameters.AddWithValue("$device_id", state.deviceId);
                command.Parameters.AddWithValue("$seen_at", SqliteRows.Ticks(state.seenAt));
                return command.ExecuteNonQuery() == 0 ? null : FindDevice(connection, transaction, state.userId, state.deviceId);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ForgetDeviceAsync(string userId, string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            (userId, deviceId, now),
            static (connection, transaction, state) =>
            {
                var delete = connection.Command("DELETE FROM devices WHERE user_id = $user_id AND device_id = $device_id;", transaction);
                delete.Parameters.AddWithValue("$user_id", state.userId);
                delete.Parameters.AddWithValue("$device_id", state.deviceId);
                bool existed = delete.ExecuteNonQuery() > 0;

                var revoke = connection.Command(
                    "UPDATE session_tokens SET revoked_at = $at WHERE user_id = $user_id AND device_id = $device_id AND revoked_at IS NULL;",
                    transaction);
                revoke.Parameters.AddWithValue("$user_id", state.userId);
                revoke.Parameters.AddWithValue("$device_id", state.deviceId);
                revoke.Parameters.AddWithValue("$at", SqliteRows.Ticks(state.now));
                revoke.ExecuteNonQuery();
                return existed;
            },
            cancellationToken);
    }

    private static int InsertToken(StoreConnection connection, SqliteTransaction transaction, SessionTokenRecord token)
    {
        var command = connection.Command(
            "INSERT INTO session_tokens (" + TokenColumns + ") VALUES ($token_id, $secret_hash, $user_id, $session_id, $device_id, $created_at, $expires_at, $revoked_at, $replaced_by);",
            transaction);
        command.Parameters.AddWithValue("$token_id", SqliteRows.Id(token.TokenId));
        command.Parameters.AddWithValue("$secret_hash", token.SecretHash.ToArray());
        command.Parameters.AddWithValue("$user_id", token.UserId);
        command.Parameters.AddWithValue("$session_id", token.SessionId is { } sessionId ? SqliteRows.Id(sessionId) : DBNull.Value);
        command.Parameters.AddWithValue("$device_id", (object?)token.DeviceId ?? DBNull.Value);
        command.Parameters.AddWithValue("$created_at", SqliteRows.Ticks(token.CreatedAt));
        command.Parameters.AddWithValue("$expires_at", SqliteRows.Ticks(token.ExpiresAt));
        command.Parameters.AddWithValue("$revoked_at", token.RevokedAt is { } revokedAt ? SqliteRows.Ticks(revokedAt) : DBNull.Value);
        command.Parameters.AddWithValue("$replaced_by", token.ReplacedBy is { } replacedBy ? SqliteRows.Id(replacedBy) : DBNull.Value);
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
        {
            throw new SessionKitException($"A session token with id '{token.TokenId}' already exists.", ex);
        }
    }

    private static DeviceRecord? FindDevice(StoreConnection connection, SqliteTransaction transaction, string userId, string deviceId)
    {
        var command = connection.Command("SELECT " + DeviceColumns + " FROM devices WHERE user_id = $user_id AND device_id = $device_id;", transaction);
        command.Parameters.AddWithValue("$user_id", userId);
        command.Parameters.AddWithValue("$device_id", deviceId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadDevice(reader) : null;
    }

    private static SessionTokenRecord ReadToken(SqliteDataReader reader) => new()
    {
        TokenId = SqliteRows.ReadGuid(reader, 0),
        SecretHash = reader.GetFieldValue<byte[]>(1),
        UserId = reader.GetString(2),
        SessionId = reader.IsDBNull(3) ? null : SqliteRows.ReadGuid(reader, 3),
        DeviceId = reader.IsDBNull(4) ? null : reader.GetString(4),
        CreatedAt = SqliteRows.ReadTime(reader, 5),
        ExpiresAt = SqliteRows.ReadTime(reader, 6),
        RevokedAt = reader.IsDBNull(7) ? null : SqliteRows.ReadTime(reader, 7),
        ReplacedBy = reader.IsDBNull(8) ? null : SqliteRows.ReadGuid(reader, 8),
    };

    private static DeviceRecord ReadDevice(SqliteDataReader reader) => new()
    {
        UserId = reader.GetString(0),
        DeviceId = reader.GetString(1),
        DisplayName = reader.IsDBNull(2) ? null : reader.GetString(2),
        FingerprintHash = reader.IsDBNull(3) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(3),
        FirstSeenAt = SqliteRows.ReadTime(reader, 4),
        LastSeenAt = SqliteRows.ReadTime(reader, 5),
    };

}
