namespace SessionKit.Storage;

/// <summary>A user's device as an <see cref="ISessionTokenStore"/> keeps it. A fingerprint is kept only as its keyed hash.</summary>
public sealed record DeviceRecord
{
    /// <summary>The device's owner.</summary>
    public required string UserId { get; init; }

    /// <summary>The device id, unique per user.</summary>
    public required string DeviceId { get; init; }

    /// <summary>A name to show the user ("Ada's phone"), or <see langword="null"/>.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The HMAC-SHA256 of the device's normalised fingerprint (32 bytes), or empty when it has none.</summary>
    public ReadOnlyMemory<byte> FingerprintHash { get; init; }

    /// <summary>When the device was first registered (UTC).</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }

    /// <summary>When the device was last seen (UTC).</summary>
    public required DateTimeOffset LastSeenAt { get; init; }
}
