using System.Globalization;

namespace SessionKit;

/// <summary>
/// Where a session's history may be cut — at the edge of the recent window, between summary blocks — without
/// separating what belongs together: a tool call group and its results, and the parts of one chat message.
/// </summary>
/// <remarks>
/// The layout this protects is the one the chat middleware stores: an assistant turn with several (parallel) tool calls is
/// one assistant message per call, then one tool message per result, each carrying its call id; a chat message with
/// several contents is one stored message per content, marked <c>sessionkit.part = index/count</c>. So a cut is never
/// made before a tool result, between two consecutive tool calls, or before a part other than the first.
/// </remarks>
internal static class MessageGroups
{
    /// <summary>The metadata key of a stored part of a chat message with several contents (<c>index/count</c>).</summary>
    internal const string PartMetadataKey = "sessionkit.part";

    /// <summary>Whether a context may begin at <paramref name="newer"/> while leaving out <paramref name="older"/>, the message before it.</summary>
    public static bool CanCutBetween(SessionMessage older, SessionMessage newer) =>
        newer.Role != MessageRole.Tool
        && !(IsToolCall(older) && IsToolCall(newer))
        && !IsLaterPart(newer);

    private static bool IsToolCall(SessionMessage message) => message.Role == MessageRole.Assistant && message.ToolCallId is not null;

    private static bool IsLaterPart(SessionMessage message)
    {
        if (!message.Metadata.TryGetValue(PartMetadataKey, out string? part))
        {
            return false;
        }

        int slash = part.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && int.TryParse(part.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && index > 0;
    }
}
