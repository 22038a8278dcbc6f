namespace ResearchAssistant;

/// <summary>One exchange of the scripted conversation: what the user asks and what the assistant answers.</summary>
/// <param name="Question">The user's message.</param>
/// <param name="Answer">The assistant's deterministic reply (a stand-in for a model's answer).</param>
internal sealed record ScriptedTurn(string Question, string Answer);
