using SessionKit.Storage;

namespace SessionKit;

/// <summary>The device registry over any <see cref="ISessionTokenStore"/> (see <see cref="IDeviceRegistry"/>).</summary>
public sealed class DeviceRegistry : IDeviceRegistry
{
    private readonly ISessionTokenStore _store;
    private readonly byte[]? _fingerprintKey;
    private readonly TimeProvider _timeProvider;
    private readonly int _maxIdLength;

    /// <summary>Creates the registry.</summary>
    /// <param name="store">Where devices are kept.</param>
    /// <param name="options">The fingerprint key; <see langword="null"/> for the defaults (no key: devices without fingerprints only).</param>
    /// <param name="timeProvider">The clock for first- and last-seen times; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public DeviceRegistry(ISessionTokenStore store, SessionTokenOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new SessionTokenOptions();
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _store = store;
        _fingerprintKey = options.Resolve().FingerprintKey;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _maxIdLength = ((store as SessionStore)?.Limits ?? new SessionLimits()).MaxIdLength;
    }

    /// <inheritdoc />
    public async Task<Device> RegisterAsync(string userId, DeviceRegistration registration, CancellationToken cancellationToken = default)
    {
        UserId(userId);
        ArgumentNullException.ThrowIfNull(registration);
        if (registration.DeviceId is not null && string.IsNullOrWhiteSpace(registration.DeviceId))
        {
            throw new ArgumentException("DeviceRegistration.DeviceId must not be empty or white space; use null for a new device.", nameof(registration));
        }

        if (registration.DeviceId is not null)
        {
            IdentityStoreArguments.Id(registration.DeviceId, _maxIdLength, "DeviceRegistration.DeviceId", nameof(registration));
        }

        IdentityStoreArguments.DisplayName(registration.DisplayName, _maxIdLength, nameof(registration));

        byte[]? hash = DeviceFingerprint.Hash(registration.Fingerprint, _fingerprintKey, nameof(registration));
        var now = Now();
        string? deviceId = registration.DeviceId;
        if (deviceId is null && hash is not null)
        {
            var known = await _store.FindDeviceByFingerprintAsync(userId, hash, cancellationToken).ConfigureAwait(false);
            deviceId = known?.DeviceId;
        }

        var stored = await _store.UpsertDeviceAsync(
            new DeviceRecord
            {
                UserId = userId,
                DeviceId = deviceId ?? Guid.CreateVersion7(now).ToString(),
                DisplayName = registration.DisplayName,
                FingerprintHash = hash,
                FirstSeenAt = now,
                LastSeenAt = now,
            },
            cancellationToken).ConfigureAwait(false);
        return Device.From(stored);
    }

    /// <inheritdoc />
    public async Task<Device?> RecognizeAsync(string userId, IReadOnlyDictionary<string, string> fingerprint, CancellationToken cancellationToken = default)
    {
        UserId(userId);
        ArgumentNullException.ThrowIfNull(fingerprint);
        // Even an empty fingerprint fails without a key, so a missing key shows up on the first call.
        DeviceFingerprint.RequireKey(_fingerprintKey);

        byte[]? hash = DeviceFingerprint.Hash(fingerprint, _fingerprintKey, nameof(fingerprint));
        if (hash is null)
        {
            return null;
        }

        var device = await _store.FindDeviceByFingerprintAsync(userId, hash, cancellationToken).ConfigureAwait(false);
        if (device is null)
        {
            return null;
        }

        var seen = await _store.TouchDeviceAsync(userId, device.DeviceId, Now(), cancellationToken).ConfigureAwait(false);
        return seen is null ? null : Device.From(seen);
    }

    /// <inheritdoc />
    public async Task<Device?> FindAsync(string userId, string deviceId, CancellationToken cancellationToken = default)
    {
        UserId(userId);
        IdentityStoreArguments.Id(deviceId, _maxIdLength, "The device id", nameof(deviceId));
        var device = await _store.FindDeviceAsync(userId, deviceId, cancellationToken).ConfigureAwait(false);
        return device is null ? null : Device.From(device);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Device>> ListAsync(string userId, CancellationToken cancellationToken = default)
    {
        UserId(userId);
        var devices = await _store.ListDevicesAsync(userId, cancellationToken).ConfigureAwait(false);
        return devices.Select(Device.From).ToList();
    }

    /// <inheritdoc />
    public async Task<Device?> TouchAsync(string userId, string deviceId, CancellationToken cancellationToken = default)
    {
        UserId(userId);
        IdentityStoreArguments.Id(deviceId, _maxIdLength, "The device id", nameof(deviceId));
        var device = await _store.TouchDeviceAsync(userId, deviceId, Now(), cancellationToken).ConfigureAwait(false);
        return device is null ? null : Device.From(device);
    }

    /// <inheritdoc />
    public Task<bool> ForgetAsync(string userId, string deviceId, CancellationToken cancellationToken = default)
    {
        UserId(userId);
        IdentityStoreArguments.Id(deviceId, _maxIdLength, "The device id", nameof(deviceId));
        return _store.ForgetDeviceAsync(userId, deviceId, Now(), cancellationToken);
    }

    // Checked here, with the store's limit, so the caller's parameter is named rather than the store's record.
    private void UserId(string userId) => IdentityStoreArguments.Id(userId, _maxIdLength, "The user id", nameof(userId));

    private DateTimeOffset Now() => _timeProvider.GetUtcNow().ToUniversalTime();
}
