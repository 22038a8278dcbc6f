namespace MultiDevice;

/// <summary>The system clock plus however far the story has moved on, so "ten minutes later" takes no time to run.</summary>
internal sealed class StoryClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Advance(TimeSpan by) => _offset += by;
}
