namespace SessionKit;

/// <summary>The outcome of an append.</summary>
/// <param name="Session">The session after the append (new version, last activity and message count).</param>
/// <param name="Messages">The stored messages, in order, with the ids and sequences the store assigned.</param>
public sealed record AppendResult(Session Session, IReadOnlyList<SessionMessage> Messages);
