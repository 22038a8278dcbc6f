using Npgsql;
using SessionKit.Storage;

namespace SessionKit.PostgreSql;

/// <summary>Session tokens and devices in the same database (see <see cref="ISessionTokenStore"/>).</summary>
public sealed partial class PostgreSqlSessionStore : ISessionTokenStore
{
    private const string TokenColumns = "token_id, secret_hash, user_id, session_id, device_id, created_at, expires_at, revoked_at, replaced_by";

    private const string DeviceColumns = "user_id, device_id, display_name, fingerprint_hash, first_seen_at, last_seen_at";

    private const string UniqueViolation = "23505";

    /// <inheritdoc />
    public Task SaveTokenAsync(SessionTokenRecord token, CancellationToken cancellationToken = default)
    {
        token = IdentityStoreArguments.Token(token, Limits.MaxIdLength, nameof(token));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            async tx =>
            {
                if (token.SessionId is { } sessionId)
                {
                    // In the insert's transaction, with the session's row locked, so it cannot change hands in between.
                    var owner = await tx.ScalarAsync(tx.Cmd("SELECT user_id FROM §sessions WHERE id = @id FOR SHARE;").Uuid("id", sessionId)).ConfigureAwait(false) as string;
                    IdentityStoreArguments.CheckTokenSession(token, owner is null ? null : PgText.Decode(owner));
                }

                return await InsertTokenAsync(tx, token).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<SessionTokenRecord?> FindTokenAsync(Guid tokenId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync(
            tx => tx.FirstAsync(tx.Cmd("SELECT " + TokenColumns + " FROM §session_tokens WHERE token_id = @token_id;").Uuid("token_id", tokenId), ReadToken),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RevokeTokenAsync(Guid tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            async tx => await tx.ExecAsync(tx.Cmd("UPDATE §session_tokens SET revoked_at = @at WHERE token_id = @token_id AND revoked_at IS NULL;")
                .Uuid("token_id", tokenId)
                .Long("at", PostgresRows.Ticks(revokedAt))).ConfigureAwait(false) > 0,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> RevokeUserTokensAsync(string userId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            tx => tx.ExecAsync(tx.Cmd("UPDATE §session_tokens SET revoked_at = @at WHERE user_id = @user_id AND revoked_at IS NULL;")
                .Text("user_id", userId)
                .Long("at", PostgresRows.Ticks(revokedAt))),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RotateTokenAsync(Guid tokenId, SessionTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        replacement = IdentityStoreArguments.Token(replacement, Limits.MaxIdLength, nameof(replacement));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            async tx =>
            {
                // Locked, so of two servers rotating one token at once exactly one succeeds.
                if (await tx.ScalarAsync(tx.Cmd("SELECT user_id FROM §session_tokens WHERE token_id = @token_id AND revoked_at IS NULL AND expires_at > @now FOR UPDATE;")
                    .Uuid("token_id", tokenId)
                    .Long("now", PostgresRows.Ticks(now))).ConfigureAwait(false) is not string stored)
                {
                    return false;
                }

                if (!string.Equals(PgText.Decode(stored), replacement.UserId, StringComparison.Ordinal))
                {
                    throw new ArgumentException("A replacement token must be for the same user as the token it replaces.", nameof(replacement));
                }

                await InsertTokenAsync(tx, replacement).ConfigureAwait(false);
                await tx.ExecAsync(tx.Cmd("UPDATE §session_tokens SET revoked_at = @at, replaced_by = @replaced_by WHERE token_id = @token_id;")
                    .Uuid("token_id", tokenId)
                    .Long("at", PostgresRows.Ticks(now))
                    .Uuid("replaced_by", replacement.TokenId)).ConfigureAwait(false);
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
            async tx => (await tx.FirstAsync(
                tx.Cmd("INSERT INTO §devices AS d (" + DeviceColumns + ") VALUES (@user_id, @device_id, @display_name, @fingerprint_hash, @first_seen_at, @last_seen_at) " +
                    "ON CONFLICT (user_id, device_id) DO UPDATE SET " +
                    "display_name = coalesce(excluded.display_name, d.display_name), " +
                    "fingerprint_hash = coalesce(excluded.fingerprint_hash, d.fingerprint_hash), " +
                    "last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at) RETURNING " + DeviceColumns + ";")
                    .Text("user_id", device.UserId)
                    .Text("device_id", device.DeviceId)
                    .Text("display_name", device.DisplayName)
                    .Bytes("fingerprint_hash", device.FingerprintHash.IsEmpty ? null : device.FingerprintHash.ToArray())
                    .Long("first_seen_at", PostgresRows.Ticks(device.FirstSeenAt))
                    .Long("last_seen_at", PostgresRows.Ticks(device.LastSeenAt)),
                ReadDevice).ConfigureAwait(false))!,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string userId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync<IReadOnlyList<DeviceRecord>>(
            async tx => await tx.ListAsync(
                tx.Cmd("SELECT " + DeviceColumns + " FROM §devices WHERE user_id = @user_id ORDER BY last_seen_at DESC, device_id;").Text("user_id", userId),
                ReadDevice).ConfigureAwait(false),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> FindDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        return ReadAsync(tx => FindDeviceAsync(tx, userId, deviceId), cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> FindDeviceByFingerprintAsync(string userId, ReadOnlyMemory<byte> fingerprintHash, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.FingerprintHash(fingerprintHash, nameof(fingerprintHash));
        ThrowIfUnusable(cancellationToken);
        var hash = fingerprintHash.ToArray();
        return ReadAsync(
            tx => tx.FirstAsync(
                tx.Cmd("SELECT " + DeviceColumns + " FROM §devices WHERE user_id = @user_id AND fingerprint_hash = @fingerprint_hash ORDER BY last_seen_at DESC, device_id LIMIT 1;")
                    .Text("user_id", userId)
                    .Bytes("fingerprint_hash", hash),
                ReadDevice),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> TouchDeviceAsync(string userId, string deviceId, DateTimeOffset seenAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            tx => tx.FirstAsync(
                tx.Cmd("UPDATE §devices SET last_seen_at = greatest(last_seen_at, @seen_at) WHERE user_id = @user_id AND device_id = @device_id RETURNING " + DeviceColumns + ";")
                    .Text("user_id", userId)
                    .Text("device_id", deviceId)
                    .Long("seen_at", PostgresRows.Ticks(seenAt)),
                ReadDevice),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ForgetDeviceAsync(string userId, string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        return WriteAsync(
            async tx =>
            {
                bool existed = await tx.ExecAsync(tx.Cmd("DELETE FROM §devices WHERE user_id = @user_id AND device_id = @device_id;")
                    .Text("user_id", userId)
                    .Text("device_id", deviceId)).ConfigureAwait(false) > 0;
                await tx.ExecAsync(tx.Cmd("UPDATE §session_tokens SET revoked_at = @at WHERE user_id = @user_id AND device_id = @device_id AND revoked_at IS NULL;")
                    .Text("user_id", userId)
                    .Text("device_id", deviceId)
                    .Long("at", PostgresRows.Ticks(now))).ConfigureAwait(false);
                return existed;
            },
            cancellationToken);
    }

    private static async Task<int> InsertTokenAsync(Tx tx, SessionTokenRecord token)
    {
        try
        {
            return await tx.ExecAsync(tx.Cmd(
                "INSERT INTO §session_tokens (" + TokenColumns + ") VALUES (@token_id, @secret_hash, @user_id, @session_id, @device_id, @created_at, @expires_at, @revoked_at, @replaced_by);")
                .Uuid("token_id", token.TokenId)
                .Bytes("secret_hash", token.SecretHash.ToArray())
                .Text("user_id", token.UserId)
                .Uuid("session_id", token.SessionId)
                .Text("device_id", token.DeviceId)
                .Long("created_at", PostgresRows.Ticks(token.CreatedAt))
                .Long("expires_at", PostgresRows.Ticks(token.ExpiresAt))
                .Long("revoked_at", token.RevokedAt is { } revokedAt ? PostgresRows.Ticks(revokedAt) : null)
                .Uuid("replaced_by", token.ReplacedBy)).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
        {
            throw new SessionKitException($"A session token with id '{token.TokenId}' already exists.", ex);
        }
    }

    private static Task<DeviceRecord?> FindDeviceAsync(Tx tx, string userId, string deviceId) =>
        tx.FirstAsync(
            tx.Cmd("SELECT " + DeviceColumns + " FROM §devices WHERE user_id = @user_id AND device_id = @device_id;")
                .Text("user_id", userId)
                .Text("device_id", deviceId),
            ReadDevice);

    private static SessionTokenRecord ReadToken(NpgsqlDataReader reader) => new()
    {
        TokenId = reader.GetGuid(0),
        SecretHash = reader.GetFieldValue<byte[]>(1),
        UserId = PostgresRows.ReadText(reader, 2),
        SessionId = reader.IsDBNull(3) ? null : reader.GetGuid(3),
        DeviceId = PostgresRows.ReadNullableText(reader, 4),
        CreatedAt = PostgresRows.ReadTime(reader, 5),
        ExpiresAt = PostgresRows.ReadTime(reader, 6),
        RevokedAt = reader.IsDBNull(7) ? null : PostgresRows.ReadTime(reader, 7),
        ReplacedBy = reader.IsDBNull(8) ? null : reader.GetGuid(8),
    };

    private static DeviceRecord ReadDevice(NpgsqlDataReader reader) => new()
    {
        UserId = PostgresRows.ReadText(reader, 0),
        DeviceId = PostgresRows.ReadText(reader, 1),
        DisplayName = PostgresRows.ReadNullableText(reader, 2),
        FingerprintHash = reader.IsDBNull(3) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(3),
        FirstSeenAt = PostgresRows.ReadTime(reader, 4),
        LastSeenAt = PostgresRows.ReadTime(reader, 5),
    };
}
