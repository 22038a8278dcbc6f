using System.Globalization;

namespace SessionKit.Extensions.AI;

/// <summary>Reads the <see cref="ChatMessageMetadataKeys.Part"/> mark of a stored message (shared source).</summary>
internal static class MessageParts
{
    /// <summary>The position of a stored message in its chat message: (index, count); (0, 1) when it stands alone.</summary>
    public static (int Index, int Count) PartOf(SessionMessage message)
    {
        if (message.Metadata.TryGetValue(ChatMessageMetadataKeys.Part, out string? part))
        {
            int slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0
                && int.TryParse(part.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                && int.TryParse(part.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
                && index < count)
            {
                return (index, count);
            }
        }

        return (0, 1);
    }
}
