namespace SessionKit;

/// <summary>How <see cref="ISessionLeaseStore.BeginTurnAsync"/> waits for and holds a session.</summary>
public sealed record TurnOptions
{
    /// <summary>How long to wait for the previous turn to end. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a turn holds the session at most, so that a crashed holder cannot block it for ever. Default 2 minutes;
    /// keep it longer than a turn takes.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);
}
