using SessionKit.Storage;

namespace SessionKit;

/// <summary>Session tokens and devices in process memory (see <see cref="ISessionTokenStore"/>).</summary>
/// <remarks>One lock guards all tokens and devices: each operation is a few dictionary steps, and one lock makes rotation and
/// forgetting a device (with its tokens) atomic without any ordering rules.</remarks>
public sealed partial class InMemorySessionStore : ISessionTokenStore
{
    private readonly Lock _identityGate = new();
    private readonly Dictionary<Guid, SessionTokenRecord> _tokens = [];
    private readonly Dictionary<string, HashSet<Guid>> _tokensByUser = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DeviceRecord>> _devicesByUser = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task SaveTokenAsync(SessionTokenRecord token, CancellationToken cancellationToken = default)
    {
        token = IdentityStoreArguments.Token(token, Limits.MaxIdLength, nameof(token));
        ThrowIfUnusable(cancellationToken);
        if (token.SessionId is not { } sessionId)
        {
            lock (_identityGate)
            {
                AddToken(token);
            }

            return Task.CompletedTask;
        }

        // Holding the session's gate keeps a concurrent delete or transfer from slipping between the check and the insert.
        var entry = _sessions.GetValueOrDefault(sessionId);
        if (entry is null)
        {
            IdentityStoreArguments.CheckTokenSession(token, null);
        }

        lock (entry!.Gate)
        {
            IdentityStoreArguments.CheckTokenSession(token, entry.Deleted ? null : entry.Session.UserId);
            lock (_identityGate)
            {
                AddToken(token);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<SessionTokenRecord?> FindTokenAsync(Guid tokenId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            return Task.FromResult(_tokens.GetValueOrDefault(tokenId));
        }
    }

    /// <inheritdoc />
    public Task<bool> RevokeTokenAsync(Guid tokenId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            return Task.FromResult(Revoke(tokenId, revokedAt.ToUniversalTime(), replacedBy: null));
        }
    }

    /// <inheritdoc />
    public Task<int> RevokeUserTokensAsync(string userId, DateTimeOffset revokedAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            int count = 0;
            if (_tokensByUser.TryGetValue(userId, out var ids))
            {
                foreach (var id in ids)
                {
                    count += Revoke(id, revokedAt.ToUniversalTime(), replacedBy: null) ? 1 : 0;
                }
            }

            return Task.FromResult(count);
        }
    }

    /// <inheritdoc />
    public Task<bool> RotateTokenAsync(Guid tokenId, SessionTokenRecord replacement, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.TokenId(tokenId, nameof(tokenId));
        replacement = IdentityStoreArguments.Token(replacement, Limits.MaxIdLength, nameof(replacement));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            if (!_tokens.TryGetValue(tokenId, out var current) || current.RevokedAt is not null || current.ExpiresAt <= now)
            {
                return Task.FromResult(false);
            }

            if (!string.Equals(current.UserId, replacement.UserId, StringComparison.Ordinal))
            {
                throw new ArgumentException("A replacement token must be for the same user as the token it replaces.", nameof(replacement));
            }

            AddToken(replacement);
            Revoke(tokenId, now.ToUniversalTime(), replacement.TokenId);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<DeviceRecord> UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken = default)
    {
        device = IdentityStoreArguments.Device(device, Limits.MaxIdLength, nameof(device));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            if (!_devicesByUser.TryGetValue(device.UserId, out var devices))
            {
                devices = new Dictionary<string, DeviceRecord>(StringComparer.Ordinal);
                _devicesByUser.Add(device.UserId, devices);
            }

            if (devices.TryGetValue(device.DeviceId, out var existing))
            {
                device = existing with
                {
                    DisplayName = device.DisplayName ?? existing.DisplayName,
                    FingerprintHash = device.FingerprintHash.IsEmpty ? existing.FingerprintHash : device.FingerprintHash,
                    LastSeenAt = Later(existing.LastSeenAt, device.LastSeenAt),
                };
            }

            devices[device.DeviceId] = device;
            return Task.FromResult(device);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string userId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            IReadOnlyList<DeviceRecord> list = _devicesByUser.TryGetValue(userId, out var devices) ? NewestFirst(devices.Values).ToList() : [];
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> FindDeviceAsync(string userId, string deviceId, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            return Task.FromResult(FindDevice(userId, deviceId));
        }
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> FindDeviceByFingerprintAsync(string userId, ReadOnlyMemory<byte> fingerprintHash, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.FingerprintHash(fingerprintHash, nameof(fingerprintHash));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            DeviceRecord? found = _devicesByUser.TryGetValue(userId, out var devices)
                ? NewestFirst(devices.Values).FirstOrDefault(d => d.FingerprintHash.Span.SequenceEqual(fingerprintHash.Span))
                : null;
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public Task<DeviceRecord?> TouchDeviceAsync(string userId, string deviceId, DateTimeOffset seenAt, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            var device = FindDevice(userId, deviceId);
            if (device is not null)
            {
                device = device with { LastSeenAt = Later(device.LastSeenAt, seenAt.ToUniversalTime()) };
                _devicesByUser[userId][deviceId] = device;
            }

            return Task.FromResult(device);
        }
    }

    /// <inheritdoc />
    public Task<bool> ForgetDeviceAsync(string userId, string deviceId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        IdentityStoreArguments.Id(userId, Limits.MaxIdLength, nameof(userId));
        IdentityStoreArguments.Id(deviceId, Limits.MaxIdLength, nameof(deviceId));
        ThrowIfUnusable(cancellationToken);
        lock (_identityGate)
        {
            bool existed = _devicesByUser.TryGetValue(userId, out var devices) && devices.Remove(deviceId);
            if (_tokensByUser.TryGetValue(userId, out var ids))
            {
                foreach (var id in ids)
                {
                    if (string.Equals(_tokens[id].DeviceId, deviceId, StringComparison.Ordinal))
                    {
                        Revoke(id, now.ToUniversalTime(), replacedBy: null);
                    }
                }
            }

            return Task.FromResult(existed);
        }
    }

    private static IOrderedEnumerable<DeviceRecord> NewestFirst(IEnumerable<DeviceRecord> devices) =>
        devices.OrderByDescending(d => d.LastSeenAt).ThenBy(d => d.DeviceId, StringComparer.Ordinal);

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private void AddToken(SessionTokenRecord token)
    {
        if (!_tokens.TryAdd(token.TokenId, token))
        {
            throw new SessionKitException($"A session token with id '{token.TokenId}' already exists.");
        }

        if (!_tokensByUser.TryGetValue(token.UserId, out var ids))
        {
            ids = [];
            _tokensByUser.Add(token.UserId, ids);
        }

        ids.Add(token.TokenId);
    }

    private bool Revoke(Guid tokenId, DateTimeOffset at, Guid? replacedBy)
    {
        if (!_tokens.TryGetValue(tokenId, out var token) || token.RevokedAt is not null)
        {
            return false;
        }

        _tokens[tokenId] = token with { RevokedAt = at, ReplacedBy = replacedBy };
        return true;
    }

    private DeviceRecord? FindDevice(string userId, string deviceId) =>
        _devicesByUser.TryGetValue(userId, out var devices) ? devices.GetValueOrDefault(deviceId) : null;
}
