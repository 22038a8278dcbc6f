namespace SessionKit;

/// <summary>
/// How session tokens are issued and device fingerprints hashed. Set through <see cref="SessionKitOptions.SessionTokens"/>,
/// or pass an instance to <see cref="SessionTokenService"/> and <see cref="DeviceRegistry"/>.
/// </summary>
public sealed class SessionTokenOptions
{
    /// <summary>The smallest <see cref="FingerprintKey"/> accepted, in bytes (32: the HMAC-SHA256 block's worth of security).</summary>
    public const int MinFingerprintKeyLength = 32;

    /// <summary>The longest <see cref="MaxLifetime"/> accepted (100 years), so expiry times stay representable.</summary>
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(36_500);

    /// <summary>The lifetime of a token issued without one (default 30 days).</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest lifetime a caller may ask for (default 365 days).</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// The secret key device fingerprints are hashed with (HMAC-SHA256), at least <see cref="MinFingerprintKeyLength"/> bytes;
    /// or set <see cref="FingerprintKeyBase64"/> instead (from configuration).
    /// </summary>
    /// <remarks>
    /// <para>Stored fingerprint hashes are only recognised under the key they were made with, so the key must be the same
    /// in every process and across restarts: keep it with your other secrets. SessionKit does not invent one (a random key
    /// per process would make every device unrecognisable after a restart) — registering or recognising a fingerprint
    /// without a key throws <see cref="InvalidOperationException"/>. Devices without fingerprints need no key.</para>
    /// <para>Rotating the key makes existing fingerprints unrecognisable; the devices and their ids remain.</para>
    /// </remarks>
#pragma warning disable CA1819 // A key is bytes; configuration binds base64 to it, and the array is copied when read.
    public byte[]? FingerprintKey { get; set; }
#pragma warning restore CA1819

    /// <summary>The fingerprint key as base64 text (for configuration); an alternative to <see cref="FingerprintKey"/>, not both.</summary>
    public string? FingerprintKeyBase64 { get; set; }

    /// <summary>Returns a description of each invalid setting, naming it; empty when all are valid.</summary>
    /// <param name="prefix">The path of this object in its parent options, used in the messages.</param>
    /// <returns>The failures.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(SessionTokenOptions))
    {
        var failures = new List<string>();
        if (DefaultLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}.{nameof(DefaultLifetime)} must be positive (was {DefaultLifetime}).");
        }

        if (MaxLifetime <= TimeSpan.Zero || MaxLifetime > LongestLifetime)
        {
            failures.Add($"{prefix}.{nameof(MaxLifetime)} must be positive and at most {LongestLifetime.TotalDays:0} days (was {MaxLifetime}).");
        }
        else if (DefaultLifetime > MaxLifetime)
        {
            failures.Add($"{prefix}.{nameof(DefaultLifetime)} ({DefaultLifetime}) must not exceed {prefix}.{nameof(MaxLifetime)} ({MaxLifetime}).");
        }

        if (FingerprintKey is not null && FingerprintKeyBase64 is not null)
        {
            failures.Add($"{prefix}.{nameof(FingerprintKey)} and {prefix}.{nameof(FingerprintKeyBase64)} are both set; set one.");
        }
        else if (FingerprintKey is not null && FingerprintKey.Length < MinFingerprintKeyLength)
        {
            failures.Add($"{prefix}.{nameof(FingerprintKey)} must be at least {MinFingerprintKeyLength} bytes (was {FingerprintKey.Length}).");
        }
        else if (FingerprintKeyBase64 is not null)
        {
            byte[]? key = DecodeBase64(FingerprintKeyBase64);
            if (key is null)
            {
                failures.Add($"{prefix}.{nameof(FingerprintKeyBase64)} is not valid base64.");
            }
            else if (key.Length < MinFingerprintKeyLength)
            {
                failures.Add($"{prefix}.{nameof(FingerprintKeyBase64)} must decode to at least {MinFingerprintKeyLength} bytes (was {key.Length}).");
            }
        }

        return failures;
    }

    /// <summary>A copy whose key is resolved to bytes (or <see langword="null"/>), so later changes to this object have no effect.</summary>
    internal SessionTokenOptions Resolve() => new()
    {
        DefaultLifetime = DefaultLifetime,
        MaxLifetime = MaxLifetime,
        FingerprintKey = FingerprintKey is not null ? (byte[])FingerprintKey.Clone() : FingerprintKeyBase64 is not null ? DecodeBase64(FingerprintKeyBase64) : null,
    };

    private static byte[]? DecodeBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
