namespace SessionKit;

/// <summary>Counts tokens the way a model's tokenizer does, including the chat format's per-message overhead.</summary>
/// <remarks>Implementations are thread-safe and cheap to call; load encodings once, not per call.</remarks>
public interface ITokenCounter
{
    /// <summary>The tokenizer encoding, e.g. <c>o200k_base</c>. Stored with each count so counts are redone only when it changes.</summary>
    string EncodingName { get; }

    /// <summary>Counts the tokens of plain text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The number of tokens.</returns>
    int CountTokens(string text);

    /// <summary>Counts what one chat message costs in a prompt: its content, role and name plus the chat format's overhead.</summary>
    /// <param name="role">The message's role.</param>
    /// <param name="content">The message's content.</param>
    /// <param name="name">The author or tool name sent with the message, if any.</param>
    /// <returns>The number of tokens.</returns>
    int CountMessageTokens(MessageRole role, string content, string? name = null);

    /// <summary>The fixed tokens a request adds once, whatever its messages (the priming of the reply).</summary>
    int RequestOverhead { get; }
}
