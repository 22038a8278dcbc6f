using Microsoft.Extensions.AI;
using SessionKit.Storage;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Counts what chat messages cost in a prompt by the rule SessionKit charges stored messages with
/// (<see cref="TokenCounting.CountMessage"/>): each stored part's role, content and author plus its tool-call id and tool name.
/// </summary>
public static class ChatMessageTokenCounting
{
    /// <summary>Counts one chat message: the sum over the SessionKit messages <see cref="ChatMessageConversion.ToNewMessages(ChatMessage)"/> makes of it.</summary>
    /// <param name="counter">The counter.</param>
    /// <param name="message">The chat message.</param>
    /// <returns>The tokens.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static int CountMessage(ITokenCounter counter, ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(message);
        int tokens = 0;
        foreach (var part in message.ToNewMessages())
        {
            tokens += counter.CountMessageTokens(part.Role, part.Content, part.AuthorId);
            if (part.ToolCallId is not null)
            {
                tokens += counter.CountTokens(part.ToolCallId);
            }

            if (part.ToolName is not null)
            {
                tokens += counter.CountTokens(part.ToolName);
            }
        }

        return tokens;
    }

    /// <summary>Counts a whole prompt: every message plus the request overhead (<see cref="ITokenCounter.RequestOverhead"/>).</summary>
    /// <param name="counter">The counter.</param>
    /// <param name="messages">The messages sent.</param>
    /// <returns>The tokens.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static int CountPrompt(ITokenCounter counter, IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(messages);
        int tokens = counter.RequestOverhead;
        foreach (var message in messages)
        {
            tokens += CountMessage(counter, message);
        }

        return tokens;
    }
}
