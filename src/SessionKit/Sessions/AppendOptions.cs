namespace SessionKit;

/// <summary>Conditions on an append.</summary>
public sealed record AppendOptions
{
    /// <summary>
    /// When set, the messages are appended only if the session's <see cref="Session.Version"/> still equals this value;
    /// otherwise a <see cref="SessionConcurrencyException"/> is thrown and nothing is stored.
    /// </summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>
    /// When set, identifies this append within its session so a retry is safe: an append with a key the session has seen
    /// stores nothing and returns the original messages (<see cref="AppendResult.IsReplay"/>), even if the session has moved
    /// on since (the key is checked before <see cref="ExpectedVersion"/>). Reusing a key for different messages throws
    /// <see cref="IdempotencyKeyReusedException"/>. Keys live as long as the session, or until a rewind drops their messages.
    /// At most <see cref="MaxIdempotencyKeyLength"/> characters, not blank.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = 200;
}
