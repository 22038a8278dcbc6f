namespace SessionKit.Storage;

/// <summary>The newest summaries of one level in a <see cref="ContextSnapshot"/>.</summary>
public sealed class ContextSnapshotLevel
{
    /// <summary>The level (1 for summaries of messages, 2 for summaries of level-1 summaries, and so on).</summary>
    public required int Level { get; init; }

    /// <summary>The newest summaries of <see cref="Level"/>, newest first (descending <see cref="SessionSummary.ToSequence"/>).</summary>
    public required IReadOnlyList<SessionSummary> Summaries { get; init; }

    /// <summary>
    /// Every stored summary of this level whose <see cref="SessionSummary.ToSequence"/> is at least this value is in
    /// <see cref="Summaries"/> (1: all of them are). <see cref="Summaries"/> may also hold older ones.
    /// </summary>
    public required long CompleteFrom { get; init; }

    /// <summary>
    /// The <see cref="SessionSummary.ToSequence"/> of the newest stored summary of this level (0 when the level has none),
    /// or <see langword="null"/> when the reader does not state it. A reader that states it need not hold that summary in
    /// <see cref="Summaries"/>: a build needs only where it ends when the next level's newest summary covers it.
    /// </summary>
    public long? NewestTo { get; init; }
}
