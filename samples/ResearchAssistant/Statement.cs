using SessionKit;

namespace ResearchAssistant;

/// <summary>A sentence the assistant said, as a context window shows it.</summary>
/// <param name="Text">The sentence.</param>
/// <param name="Source">The window item it was read from: a summary, a recalled message or a recent message.</param>
internal sealed record Statement(string Text, ContextItem Source);
