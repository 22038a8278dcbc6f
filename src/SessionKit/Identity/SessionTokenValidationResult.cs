using System.Diagnostics.CodeAnalysis;
using SessionKit.Storage;

namespace SessionKit;

/// <summary>
/// The outcome of <see cref="ISessionTokenService.ValidateAsync"/>: who the token belongs to, or that it is not valid.
/// </summary>
/// <remarks>
/// Every kind of failure — malformed, forged, wrong secret, expired, revoked, rotated away — gives the same result with the
/// same <see cref="FailureReason"/>, so a caller probing tokens learns nothing about which part was wrong.
/// </remarks>
public sealed record SessionTokenValidationResult
{
    /// <summary>The one reason given for every invalid token.</summary>
    public const string InvalidReason = "invalid or expired token";

    /// <summary>The result for every invalid token.</summary>
    public static SessionTokenValidationResult Invalid { get; } = new() { FailureReason = InvalidReason };

    /// <summary>Whether the token is valid: well-formed, known, with the right secret, not expired and not revoked.</summary>
    [MemberNotNullWhen(true, nameof(UserId))]
    [MemberNotNullWhen(false, nameof(FailureReason))]
    public bool IsValid { get; init; }

    /// <summary>The token's user, when valid.</summary>
    public string? UserId { get; init; }

    /// <summary>The session the token is bound to, when valid and bound.</summary>
    public Guid? SessionId { get; init; }

    /// <summary>The device the token is bound to, when valid and bound.</summary>
    public string? DeviceId { get; init; }

    /// <summary>The token's id, when valid.</summary>
    public Guid? TokenId { get; init; }

    /// <summary>When the token expires (UTC), when valid.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary><see cref="InvalidReason"/> when not valid; <see langword="null"/> when valid.</summary>
    public string? FailureReason { get; init; }

    internal static SessionTokenValidationResult Valid(SessionTokenRecord record) => new()
    {
        IsValid = true,
        UserId = record.UserId,
        SessionId = record.SessionId,
        DeviceId = record.DeviceId,
        TokenId = record.TokenId,
        ExpiresAt = record.ExpiresAt,
    };
}
