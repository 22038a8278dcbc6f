namespace SessionKit;

/// <summary>The session <see cref="ISessionResolver.ResolveAsync"/> chose for a request, and why.</summary>
/// <remarks><see cref="ToString"/> never shows the raw token (see <see cref="IssuedSessionToken"/>).</remarks>
public sealed record SessionResolutionResult
{
    /// <summary>The session to use for this request.</summary>
    public required Session Session { get; init; }

    /// <summary>Whether <see cref="Session"/> was created by this resolution (as opposed to continued).</summary>
    public required bool IsNew { get; init; }

    /// <summary>Why this session was chosen.</summary>
    public required SessionResolutionReason Reason { get; init; }

    /// <summary>For a new session, the user's latest session it follows (whether or not it is linked); otherwise <see langword="null"/>.</summary>
    public Guid? PreviousSessionId { get; init; }

    /// <summary>The device the request came from (registered or recognised), or <see langword="null"/> when it gave none.</summary>
    public string? DeviceId { get; init; }

    /// <summary>
    /// A token bound to <see cref="Session"/> to hand to the client, issued for every anonymous session and, when
    /// <see cref="SessionResolverOptions.IssueTokens"/> is on, for new authenticated sessions and for a new device joining an
    /// existing session (<see cref="SessionResolutionReason.ContinuedOnNewDevice"/>, bound to that device); otherwise <see langword="null"/>.
    /// </summary>
    public IssuedSessionToken? IssuedToken { get; init; }
}
