namespace SessionKit.Storage;

/// <summary>How SessionKit charges stored messages and summaries against a token budget.</summary>
public static class TokenCounting
{
    /// <summary>
    /// Counts what <paramref name="message"/> costs in a prompt: <see cref="ITokenCounter.CountMessageTokens"/> of its role,
    /// content and author (sent as the message's name), plus the tokens of its tool-call id and tool name, which the chat
    /// format sends alongside tool calls and results.
    /// </summary>
    /// <param name="counter">The counter.</param>
    /// <param name="message">The message.</param>
    /// <returns>The tokens.</returns>
    public static int CountMessage(ITokenCounter counter, SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(message);
        return Count(counter, message.Role, message.Content, message.AuthorId, message.ToolCallId, message.ToolName);
    }

    internal static int Count(ITokenCounter counter, MessageRole role, string content, string? authorId, string? toolCallId, string? toolName)
    {
        int tokens = counter.CountMessageTokens(role, content, authorId);
        if (toolCallId is not null)
        {
            tokens += counter.CountTokens(toolCallId);
        }

        if (toolName is not null)
        {
            tokens += counter.CountTokens(toolName);
        }

        return tokens;
    }

    /// <summary>The cached count of <paramref name="message"/> when it was made with <paramref name="counter"/>'s encoding; otherwise a fresh count.</summary>
    /// <param name="counter">The counter.</param>
    /// <param name="message">The message.</param>
    /// <returns>The tokens.</returns>
    public static int CountMessageCached(ITokenCounter counter, SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(message);
        return string.Equals(message.TokenEncoding, counter.EncodingName, StringComparison.Ordinal)
            ? message.TokenCount
            : CountMessage(counter, message);
    }

    /// <summary>What a summary text costs when sent as a system message.</summary>
    /// <param name="counter">The counter.</param>
    /// <param name="text">The summary text.</param>
    /// <returns>The tokens.</returns>
    public static int CountSummary(ITokenCounter counter, string text)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(text);
        return counter.CountMessageTokens(MessageRole.System, text);
    }
}
