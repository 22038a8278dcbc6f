namespace SessionKit;

/// <summary>Why <see cref="ISessionResolver"/> chose the session it returned.</summary>
public enum SessionResolutionReason
{
    /// <summary>A valid session token named a session that is still active; that session continues.</summary>
    ContinuedFromToken,

    /// <summary>The user's most recent session was active within the inactivity window, on the same (or an unknown) device.</summary>
    ContinuedLatestSession,

    /// <summary>The user's most recent session was active within the inactivity window on another device, and continues here.</summary>
    ContinuedOnNewDevice,

    /// <summary>The user's most recent session was active on another device and <see cref="SessionResolverOptions.ContinueAcrossDevices"/> is off.</summary>
    NewOnNewDevice,

    /// <summary>The user's most recent session was inactive for longer than the window; a new one starts (linked to it by default).</summary>
    NewAfterInactivity,

    /// <summary>The user has no sessions yet.</summary>
    NewUser,

    /// <summary>No user and no valid token: a new anonymous user and session, with a token to come back with.</summary>
    NewAnonymous,

    /// <summary>An anonymous visitor signed in and its sessions were claimed by the user (<see cref="ISessionResolver.ClaimAnonymousAsync"/>).</summary>
    ClaimedAnonymous,
}
