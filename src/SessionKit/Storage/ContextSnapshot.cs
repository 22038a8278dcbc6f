namespace SessionKit.Storage;

/// <summary>
/// The rows a context build starts from, read together by <see cref="SessionStore.ReadContextSnapshotAsync"/>: the
/// session, its newest messages and the newest summaries of each level. Each part says how far it is complete, so a
/// reader can tell whether a range it needs is all here; whatever it is not, the builder reads from the store as usual.
/// </summary>
public sealed class ContextSnapshot
{
    /// <summary>The session, as read with the rest.</summary>
    public required Session Session { get; init; }

    /// <summary>The newest messages of the session, newest first (descending <see cref="SessionMessage.Sequence"/>).</summary>
    public required IReadOnlyList<SessionMessage> NewestMessages { get; init; }

    /// <summary>
    /// Every stored message whose sequence lies from this value up to <see cref="Session.LastSequence"/> is in
    /// <see cref="NewestMessages"/> (1: the whole history is). Sequences a deletion left empty simply have no message.
    /// </summary>
    public required long MessagesFrom { get; init; }

    /// <summary>
    /// The summary levels read, finest first: element <c>i</c> is level <c>i + 1</c>. A level past the end of the list was
    /// not read (nothing is known about it); a level read and found empty has no summaries and a
    /// <see cref="ContextSnapshotLevel.CompleteFrom"/> of 1.
    /// </summary>
    public required IReadOnlyList<ContextSnapshotLevel> SummaryLevels { get; init; }
}
