namespace ResearchAssistant;

/// <summary>
/// The system clock moved by an adjustable offset. Registered as the app's <see cref="TimeProvider"/>, it lets the demo
/// play day 0 "two days ago" so the store stamps those messages then, and come back to the present for the return.
/// </summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    /// <summary>How far this clock is from the system clock; negative is in the past.</summary>
    public TimeSpan Offset { get; set; }

    // Only the wall-clock time moves: timers and timestamps (summarizer timeouts, durations) keep the system's pace.
    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + Offset;
}
