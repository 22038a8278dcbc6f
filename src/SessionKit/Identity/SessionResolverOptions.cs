namespace SessionKit;

/// <summary>
/// When a returning request continues a session and when it starts a new one. Set through
/// <see cref="SessionKitOptions.Resolver"/>, or pass an instance to <see cref="SessionResolver"/>.
/// </summary>
public sealed class SessionResolverOptions
{
    /// <summary>The session metadata key under which the resolver records the device that last used a session.</summary>
    public const string DeviceMetadataKey = "sessionkit.device";

    /// <summary>
    /// How long after its last activity a session still continues (default 30 minutes, as for a chat widget; a research
    /// assistant might use 7 days). Must be positive.
    /// </summary>
    public TimeSpan InactivityWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Whether a request from another device continues the user's active session (default <see langword="true"/>: the multi-device story).</summary>
    public bool ContinueAcrossDevices { get; set; } = true;

    /// <summary>Whether a new session after inactivity is linked to the previous one by <see cref="Session.ContinuesFromSessionId"/> (default <see langword="true"/>).</summary>
    public bool LinkPreviousSession { get; set; } = true;

    /// <summary>Whether a new authenticated session comes with a token bound to it (default <see langword="true"/>). Anonymous sessions always get one.</summary>
    public bool IssueTokens { get; set; } = true;

    /// <summary>Returns a description of each invalid setting, naming it; empty when all are valid.</summary>
    /// <param name="prefix">The path of this object in its parent options, used in the messages.</param>
    /// <returns>The failures.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(SessionResolverOptions))
    {
        var failures = new List<string>();
        if (InactivityWindow <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}.{nameof(InactivityWindow)} must be positive (was {InactivityWindow}).");
        }

        return failures;
    }

    internal SessionResolverOptions Copy() => new()
    {
        InactivityWindow = InactivityWindow,
        ContinueAcrossDevices = ContinueAcrossDevices,
        LinkPreviousSession = LinkPreviousSession,
        IssueTokens = IssueTokens,
    };
}
