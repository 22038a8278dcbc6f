namespace SessionKit;

/// <summary>One entry of a <see cref="ContextWindow"/>: what to send to the model, where it came from and what it costs.</summary>
public sealed record ContextItem
{
    /// <summary>What the item is.</summary>
    public required ContextItemKind Kind { get; init; }

    /// <summary>The role to send it with: the message's own role, or <see cref="MessageRole.System"/> for prompts and summaries.</summary>
    public required MessageRole Role { get; init; }

    /// <summary>The text to send.</summary>
    public required string Content { get; init; }

    /// <summary>The author of a message item (sent as the message's name), if any.</summary>
    public string? AuthorId { get; init; }

    /// <summary>The tool-call id of a message item, if any.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The tool name of a message item, if any.</summary>
    public string? ToolName { get; init; }

    /// <summary>The sequences the item stands for: one message, or the range a summary covers; 0–0 for the system prompt.</summary>
    public required SequenceRange Sequences { get; init; }

    /// <summary>What the item costs in the prompt, chat-format overhead included.</summary>
    public required int TokenCount { get; init; }

    /// <summary>When the message was written (or the summary made); <see langword="null"/> for the system prompt.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The session a recalled message comes from when it is not the window's own session; otherwise <see langword="null"/>.</summary>
    public Guid? SourceSessionId { get; init; }

    /// <summary>The level of a summary item (1 for a summary of messages); 0 for other kinds.</summary>
    public int SummaryLevel { get; init; }
}
