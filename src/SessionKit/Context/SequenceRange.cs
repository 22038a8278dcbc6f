namespace SessionKit;

/// <summary>An inclusive range of message sequences.</summary>
/// <param name="From">The first sequence.</param>
/// <param name="To">The last sequence.</param>
public readonly record struct SequenceRange(long From, long To)
{
    /// <summary>How many sequence numbers the range spans.</summary>
    public long Length => To - From + 1;

    /// <inheritdoc />
    public override string ToString() => From == To ? $"#{From}" : $"#{From}–{To}";
}
