namespace SessionKit.Extensions.AI;

/// <summary>
/// Settings for <see cref="ChatClientSummarizer"/>. Binds from configuration
/// (<c>services.AddChatClientSummarizerOptions().Bind(configuration.GetSection("SessionKit:Summarizer"))</c>), validated at start.
/// </summary>
public sealed class ChatClientSummarizerOptions
{
    /// <summary>The model to ask (<c>ChatOptions.ModelId</c>); <see langword="null"/> for the client's default.</summary>
    public string? ModelId { get; set; }

    /// <summary>The sampling temperature (0 to 2); default 0 for summaries that change as little as possible between runs.</summary>
    public float? Temperature { get; set; } = 0f;

    /// <summary>
    /// The summarizer id stored with each summary; <see langword="null"/> for <c>chat-client/1</c> followed by the model id
    /// when one is set. Change it when the summaries would change.
    /// </summary>
    public string? Id { get; set; }

    /// <summary>Replaces the built-in instructions (the system message); <see langword="null"/> for the built-in ones.</summary>
    public string? Instructions { get; set; }

    /// <summary>
    /// How long the summarizer rests after a failure of the model before it asks again (default 30 seconds); each further
    /// failure in a row doubles the pause up to <see cref="MaxFailureBackoff"/>. While it rests, summaries are refused at
    /// once (the context builder falls back to verbatim messages) instead of calling a failing model on every build.
    /// </summary>
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest pause after repeated failures (default 10 minutes).</summary>
    public TimeSpan MaxFailureBackoff { get; set; } = TimeSpan.FromMinutes(10);

    internal ChatClientSummarizerOptions Clone() => (ChatClientSummarizerOptions)MemberwiseClone();
}
