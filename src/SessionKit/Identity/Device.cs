using SessionKit.Storage;

namespace SessionKit;

/// <summary>A device a user has been seen on, as <see cref="IDeviceRegistry"/> returns it.</summary>
public sealed record Device
{
    /// <summary>The device's owner.</summary>
    public required string UserId { get; init; }

    /// <summary>The device id, unique per user.</summary>
    public required string DeviceId { get; init; }

    /// <summary>A name to show the user ("Ada's phone"), or <see langword="null"/>.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Whether a fingerprint is on record, so the device can be recognised by <see cref="IDeviceRegistry.RecognizeAsync"/>.</summary>
    public bool HasFingerprint { get; init; }

    /// <summary>When the device was first registered (UTC).</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }

    /// <summary>When the device was last seen (UTC).</summary>
    public required DateTimeOffset LastSeenAt { get; init; }

    internal static Device From(DeviceRecord record) => new()
    {
        UserId = record.UserId,
        DeviceId = record.DeviceId,
        DisplayName = record.DisplayName,
        HasFingerprint = !record.FingerprintHash.IsEmpty,
        FirstSeenAt = record.FirstSeenAt,
        LastSeenAt = record.LastSeenAt,
    };
}
