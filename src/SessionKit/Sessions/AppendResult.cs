namespace SessionKit;

/// <summary>The outcome of an append.</summary>
/// <param name="Session">The session after the append (new version, last activity and message count).</param>
/// <param name="Messages">The stored messages, in order, with the ids and sequences the store assigned.</param>
public sealed record AppendResult(Session Session, IReadOnlyList<SessionMessage> Messages)
{
    /// <summary>
    /// <see langword="true"/> when the append's <see cref="AppendOptions.IdempotencyKey"/> had been used before: nothing was
    /// stored, <see cref="Messages"/> are the messages the first append stored (as they are now) and <see cref="Session"/>
    /// is the session as it is now.
    /// </summary>
    public bool IsReplay { get; init; }
}
