namespace SessionKit;

/// <summary>A time-limited claim on a session by one holder, for agents that take turns.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Holder">Who holds it.</param>
/// <param name="ExpiresAt">When it lapses unless renewed (UTC, from the store's clock).</param>
public sealed record SessionLease(Guid SessionId, string Holder, DateTimeOffset ExpiresAt);
