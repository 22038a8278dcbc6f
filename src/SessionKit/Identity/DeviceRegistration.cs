namespace SessionKit;

/// <summary>What the host knows about a device when it registers it with <see cref="IDeviceRegistry.RegisterAsync"/>.</summary>
public sealed record DeviceRegistration
{
    /// <summary>
    /// The device id, when the host has one (from a cookie, an app install id…); <see langword="null"/> to recognise the device
    /// by <see cref="Fingerprint"/> or, failing that, to register a new device under a new id.
    /// </summary>
    public string? DeviceId { get; init; }

    /// <summary>A name to show the user; <see langword="null"/> keeps the stored one.</summary>
    public string? DisplayName { get; init; }

    /// <summary>
    /// Whatever attributes the host has about the device (user agent, platform, screen, time zone…); <see langword="null"/> or
    /// empty for none. Keys are compared case-insensitively and trimmed, values trimmed, empty values ignored, order irrelevant.
    /// Only a keyed hash of them is stored; setting one requires <see cref="SessionTokenOptions.FingerprintKey"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Fingerprint { get; init; }
}
