using System.Text;

namespace SessionKit;

/// <summary>
/// A newly issued session token. <see cref="Token"/> is the only copy of the raw token: SessionKit stores just a hash of
/// its secret, so hand it to the client now; it cannot be recovered later.
/// </summary>
/// <remarks><see cref="ToString"/> leaves the token out, so logging this object does not leak it.</remarks>
public sealed record IssuedSessionToken
{
    /// <summary>The raw token to give to the client (see <see cref="ISessionTokenService"/> for its format). Never log it.</summary>
    public required string Token { get; init; }

    /// <summary>The token's id: not secret, safe to log, and what the store keys the token by.</summary>
    public required Guid TokenId { get; init; }

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

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Token = <redacted>, TokenId = ").Append(TokenId)
            .Append(", UserId = ").Append(UserId)
            .Append(", SessionId = ").Append(SessionId)
            .Append(", DeviceId = ").Append(DeviceId)
            .Append(", CreatedAt = ").Append(CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", ExpiresAt = ").Append(ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }
}
