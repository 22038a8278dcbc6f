namespace SessionKit.Extensions.AI;

/// <summary>Settings for <see cref="ChatClientSummarizer"/>.</summary>
public sealed class ChatClientSummarizerOptions
{
    /// <summary>The model to ask (<c>ChatOptions.ModelId</c>); <see langword="null"/> for the client's default.</summary>
    public string? ModelId { get; set; }

    /// <summary>The sampling temperature; default 0 for summaries that change as little as possible between runs.</summary>
    public float? Temperature { get; set; } = 0f;

    /// <summary>
    /// The summarizer id stored with each summary; <see langword="null"/> for <c>chat-client/1</c> followed by the model id
    /// when one is set. Change it when the summaries would change.
    /// </summary>
    public string? Id { get; set; }

    /// <summary>Replaces the built-in instructions (the system message); <see langword="null"/> for the built-in ones.</summary>
    public string? Instructions { get; set; }

    internal ChatClientSummarizerOptions Clone() => (ChatClientSummarizerOptions)MemberwiseClone();
}
