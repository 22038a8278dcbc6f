namespace SessionKit.Benchmarks;

/// <summary>What a count-and-trim reducer sends: the newest messages that fit the budget, and what they cost.</summary>
/// <param name="Messages">The messages, oldest first.</param>
/// <param name="TotalTokens">Their tokens plus the request overhead.</param>
public sealed record NaiveWindow(IReadOnlyList<SessionMessage> Messages, int TotalTokens);
