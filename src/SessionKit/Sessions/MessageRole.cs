namespace SessionKit;

/// <summary>The role of the participant that produced a <see cref="SessionMessage"/>.</summary>
/// <remarks>The numeric values are persisted by storage backends and never change.</remarks>
public enum MessageRole
{
    /// <summary>Instructions that frame the conversation (a system prompt).</summary>
    System = 0,

    /// <summary>A message written by the human user.</summary>
    User = 1,

    /// <summary>A message produced by the model or an agent, including a request to call a tool.</summary>
    Assistant = 2,

    /// <summary>The result of a tool call, paired with the call by <see cref="SessionMessage.ToolCallId"/>.</summary>
    Tool = 3,
}
