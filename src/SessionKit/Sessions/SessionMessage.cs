using SessionKit.Storage;

namespace SessionKit;

/// <summary>A message as stored in a session, with the position and identity the store assigned to it.</summary>
/// <remarks>Record equality compares <see cref="Metadata"/> by reference.</remarks>
public sealed record SessionMessage
{
    /// <summary>The message id (a version 7 GUID assigned by the store).</summary>
    public required Guid Id { get; init; }

    /// <summary>The session the message belongs to.</summary>
    public required Guid SessionId { get; init; }

    /// <summary>
    /// The position of the message in its session: increasing, starting at 1, and stable — dense unless a message was
    /// deleted (<see cref="ISessionCorrectionStore.DeleteMessageAsync"/> leaves a gap).
    /// </summary>
    public required long Sequence { get; init; }

    /// <summary>Who produced the message.</summary>
    public required MessageRole Role { get; init; }

    /// <summary>The text of the message, stored and returned exactly as appended.</summary>
    public required string Content { get; init; }

    /// <summary>Which agent, device or person wrote the message, if the application said so.</summary>
    public string? AuthorId { get; init; }

    /// <summary>The id that pairs a tool call (an assistant message) with its result (a tool message).</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The name of the tool that was called, if any.</summary>
    public string? ToolName { get; init; }

    /// <summary>When the message was stored (UTC, from the store's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Free-form string metadata attached by the application. Never <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata.Instance;

    /// <summary>
    /// What the message costs in a prompt, chat-format overhead included, as counted once at append by the store's
    /// <see cref="ITokenCounter"/> (see <see cref="TokenCounting.CountMessage"/>). Valid only for <see cref="TokenEncoding"/>.
    /// </summary>
    public int TokenCount { get; init; }

    /// <summary>The encoding <see cref="TokenCount"/> was counted with, or <see langword="null"/> when it was never counted.</summary>
    public string? TokenEncoding { get; init; }

    /// <summary>1 as appended; incremented by every edit (<see cref="ISessionCorrectionStore.EditMessageAsync"/>), whose replaced contents are kept as revisions.</summary>
    public int Revision { get; init; } = 1;
}
