namespace SessionKit.Storage;

/// <summary>
/// A session token as an <see cref="ISessionTokenStore"/> keeps it: its id, the hash of its secret and what it is bound to.
/// The raw token and its secret are never part of a record.
/// </summary>
public sealed record SessionTokenRecord
{
    /// <summary>The token id (a version 7 GUID), the public half of the token that locates its record.</summary>
    public required Guid TokenId { get; init; }

    /// <summary>The SHA-256 hash of the token's 32-byte secret (32 bytes).</summary>
    public required ReadOnlyMemory<byte> SecretHash { get; init; }

    /// <summary>The user the token was issued to.</summary>
    public required string UserId { get; init; }

    /// <summary>The session the token is bound to, or <see langword="null"/>.</summary>
    public Guid? SessionId { get; init; }

    /// <summary>The device the token is bound to, or <see langword="null"/>.</summary>
    public string? DeviceId { get; init; }

    /// <summary>When the token was issued (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The first instant at which the token is no longer valid (UTC).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the token was revoked or rotated away (UTC), or <see langword="null"/> while it is not.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The id of the token that replaced this one by rotation, or <see langword="null"/>.</summary>
    public Guid? ReplacedBy { get; init; }
}
