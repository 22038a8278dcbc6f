namespace SessionKit;

/// <summary>A message to append to a session. The store assigns its id, sequence and timestamp.</summary>
/// <param name="Role">Who produced the message.</param>
/// <param name="Content">The text of the message; may be empty (for example an assistant message that only calls a tool) but not <see langword="null"/>.</param>
public sealed record NewMessage(MessageRole Role, string Content)
{
    /// <summary>Which agent, device or person wrote the message; <see langword="null"/> or a non-blank id.</summary>
    public string? AuthorId { get; init; }

    /// <summary>Pairs a tool call with its result. Required for <see cref="MessageRole.Tool"/> messages.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The name of the tool called or answering, if any.</summary>
    public string? ToolName { get; init; }

    /// <summary>Free-form string metadata; keys must be non-empty and values non-null.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Creates a user message.</summary>
    /// <param name="content">The text the user wrote.</param>
    /// <returns>The new message.</returns>
    public static NewMessage User(string content) => new(MessageRole.User, content);

    /// <summary>Creates an assistant message.</summary>
    /// <param name="content">The text the model or agent produced.</param>
    /// <returns>The new message.</returns>
    public static NewMessage Assistant(string content) => new(MessageRole.Assistant, content);

    /// <summary>Creates a system message.</summary>
    /// <param name="content">The instructions.</param>
    /// <returns>The new message.</returns>
    public static NewMessage System(string content) => new(MessageRole.System, content);

    /// <summary>Creates an assistant message that calls a tool.</summary>
    /// <param name="toolCallId">The id that the tool's result will carry.</param>
    /// <param name="toolName">The name of the tool.</param>
    /// <param name="arguments">The call's arguments, typically JSON.</param>
    /// <returns>The new message.</returns>
    public static NewMessage ToolCall(string toolCallId, string toolName, string arguments) =>
        new(MessageRole.Assistant, arguments) { ToolCallId = toolCallId, ToolName = toolName };

    /// <summary>Creates a tool-result message.</summary>
    /// <param name="toolCallId">The id of the call this result answers.</param>
    /// <param name="content">The tool's output.</param>
    /// <param name="toolName">The name of the tool, if known.</param>
    /// <returns>The new message.</returns>
    public static NewMessage ToolResult(string toolCallId, string content, string? toolName = null) =>
        new(MessageRole.Tool, content) { ToolCallId = toolCallId, ToolName = toolName };
}
