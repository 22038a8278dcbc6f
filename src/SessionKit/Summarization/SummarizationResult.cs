namespace SessionKit;

/// <summary>A summarizer's output.</summary>
/// <param name="Text">The summary text; not empty.</param>
public sealed record SummarizationResult(string Text);
