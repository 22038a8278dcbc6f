namespace SessionKit;

/// <summary>A permission an owner gave another principal: over one session, or over all of the owner's sessions.</summary>
public sealed record SessionGrant
{
    /// <summary>The user who owns the sessions and gave the grant.</summary>
    public required string OwnerUserId { get; init; }

    /// <summary>The session the grant covers, or <see langword="null"/> for every session of <see cref="OwnerUserId"/> (present and future).</summary>
    public Guid? SessionId { get; init; }

    /// <summary>Who received it: another user or an agent.</summary>
    public required SessionCaller Grantee { get; init; }

    /// <summary>What it allows (<see cref="SessionAccess.Read"/> or <see cref="SessionAccess.ReadWrite"/>).</summary>
    public required SessionAccess Access { get; init; }

    /// <summary>When it was given.</summary>
    public required DateTimeOffset GrantedAt { get; init; }

    /// <summary>When it stops working, or <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Whether the grant is in force at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> unless it has expired.</returns>
    public bool IsActive(DateTimeOffset now) => ExpiresAt is not { } expires || expires > now;
}
