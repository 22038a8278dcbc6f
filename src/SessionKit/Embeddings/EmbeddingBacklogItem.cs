namespace SessionKit.Storage;

/// <summary>
/// Backend SPI: a message or summary that has no vector of the current embedding model yet, as stored (sealed when the
/// store encrypts; the base class opens it before embedding).
/// </summary>
/// <param name="UserId">The owner of the session.</param>
/// <param name="Message">The message, or <see langword="null"/> for a summary.</param>
/// <param name="Summary">The summary, or <see langword="null"/> for a message.</param>
public sealed record EmbeddingBacklogItem(string UserId, SessionMessage? Message, SessionSummary? Summary)
{
    /// <summary>Whether this is a message or a summary.</summary>
    public EmbeddingKind Kind => Message is null ? EmbeddingKind.Summary : EmbeddingKind.Message;

    /// <summary>The session of the message or summary.</summary>
    public Guid SessionId => Message?.SessionId ?? Summary!.SessionId;

    /// <summary>The id of the message or summary.</summary>
    public Guid TargetId => Message?.Id ?? Summary!.Id;
}
