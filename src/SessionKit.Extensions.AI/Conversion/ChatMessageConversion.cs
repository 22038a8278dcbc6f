using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>
/// Converts between Microsoft.Extensions.AI <see cref="ChatMessage"/>s and SessionKit messages, losslessly for what a
/// conversation carries: role, author, text, function calls and results with their call ids, message id, creation time
/// and additional properties.
/// </summary>
/// <remarks>
/// <para>One chat message becomes one SessionKit message per content, appended as one batch: text becomes the message's
/// content; a <see cref="FunctionCallContent"/> becomes a tool-call message (<see cref="NewMessage.ToolCallId"/>,
/// <see cref="NewMessage.ToolName"/>, the arguments as JSON in the content); a <see cref="FunctionResultContent"/> becomes a
/// tool-result message (the result as text, or as JSON when it is not a string); any other content (images, reasoning,
/// text with annotations, …) is stored as its JSON serialization with <see cref="AIJsonUtilities.DefaultOptions"/> (unindented). When a chat
/// message has several contents, each part carries <see cref="ChatMessageMetadataKeys.Part"/> (<c>index/count</c>) and the
/// parts are regrouped into one chat message on the way back.</para>
/// <para>Additional properties with string values are stored as metadata under their own key; other values (and keys
/// starting with <see cref="ChatMessageMetadataKeys.Prefix"/>) are stored together as a JSON object and come back as
/// <see cref="JsonElement"/>s. Not kept: <see cref="ChatMessage.RawRepresentation"/>, properties and annotations of
/// function-call and function-result contents, and the <see cref="FunctionCallContent.Exception"/> /
/// <see cref="FunctionResultContent.Exception"/> of a call (neither is meant for storage). A blank author name is dropped.</para>
/// </remarks>
public static class ChatMessageConversion
{
    private const string EncodingJson = "json";
    private const string EncodingResult = "result";
    private const string EncodingResultJson = "result-json";
    private const string EncodingResultNull = "result-null";
    private const string EncodingArgumentsNull = "arguments-null";

    // AIJsonUtilities.DefaultOptions indents; stored JSON is sent to the model and counted, so it is written compactly.
    private static readonly JsonSerializerOptions Json = CompactOptions();

    /// <summary>Maps a chat role to a SessionKit role.</summary>
    /// <param name="role">The chat role: system, user, assistant or tool.</param>
    /// <returns>The SessionKit role.</returns>
    /// <exception cref="ArgumentException">The role is none of the four SessionKit stores.</exception>
    public static MessageRole ToMessageRole(ChatRole role)
    {
        if (role == ChatRole.User)
        {
            return MessageRole.User;
        }

        if (role == ChatRole.Assistant)
        {
            return MessageRole.Assistant;
        }

        if (role == ChatRole.System)
        {
            return MessageRole.System;
        }

        if (role == ChatRole.Tool)
        {
            return MessageRole.Tool;
        }

        throw new ArgumentException($"The chat role '{role.Value}' has no SessionKit equivalent; only system, user, assistant and tool messages can be stored.", nameof(role));
    }

    /// <summary>Maps a SessionKit role to a chat role.</summary>
    /// <param name="role">The SessionKit role.</param>
    /// <returns>The chat role.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The role is not a defined <see cref="MessageRole"/>.</exception>
    public static ChatRole ToChatRole(MessageRole role) => role switch
    {
        MessageRole.System => ChatRole.System,
        MessageRole.User => ChatRole.User,
        MessageRole.Assistant => ChatRole.Assistant,
        MessageRole.Tool => ChatRole.Tool,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a defined MessageRole."),
    };

    /// <summary>Converts a chat message into the SessionKit messages that store it: one per content (one when it has none).</summary>
    /// <param name="message">The chat message.</param>
    /// <returns>The messages to append, in order, as one batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The message's role cannot be stored.</exception>
    public static IReadOnlyList<NewMessage> ToNewMessages(this ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var role = ToMessageRole(message.Role);
        string? author = string.IsNullOrWhiteSpace(message.AuthorName) ? null : message.AuthorName;
        var common = MessageMetadata(message);

        var contents = message.Contents;
        if (contents.Count == 0)
        {
            return [new NewMessage(role, string.Empty) { AuthorId = author, Metadata = Finish(common, null, 0, 1) }];
        }

        var parts = new NewMessage[contents.Count];
        for (int i = 0; i < contents.Count; i++)
        {
            var (part, encoding) = ToPart(role, contents[i] ?? throw new ArgumentException($"Content {i} of the message is null.", nameof(message)));
            parts[i] = part with { AuthorId = author, Metadata = Finish(common, encoding, i, contents.Count) };
        }

        return parts;
    }

    /// <summary>Converts chat messages into the SessionKit messages that store them, in order.</summary>
    /// <param name="messages">The chat messages.</param>
    /// <returns>The messages to append as one batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A message's role cannot be stored.</exception>
    public static IReadOnlyList<NewMessage> ToNewMessages(this IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<NewMessage>();
        foreach (var message in messages)
        {
            result.AddRange(ToNewMessages(message ?? throw new ArgumentException("The sequence contains a null message.", nameof(messages))));
        }

        return result;
    }

    /// <summary>
    /// Converts stored messages back into chat messages, regrouping the parts of a chat message that had several contents.
    /// A part whose group is incomplete in <paramref name="messages"/> becomes a chat message of its own.
    /// </summary>
    /// <param name="messages">Stored messages, in sequence order.</param>
    /// <returns>The chat messages.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<ChatMessage> ToChatMessages(this IEnumerable<SessionMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var result = new List<ChatMessage>();
        var group = new List<SessionMessage>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            var (index, count) = PartOf(message);
            if (group.Count > 0 && (index != group.Count || count != PartOf(group[0]).Count))
            {
                result.Add(ToChatMessage(group));
                group.Clear();
            }

            group.Add(message);
            if (group.Count == count || PartOf(group[0]).Index != 0)
            {
                result.Add(ToChatMessage(group));
                group.Clear();
            }
        }

        if (group.Count > 0)
        {
            result.Add(ToChatMessage(group));
        }

        return result;
    }

    /// <summary>Converts one stored message into a chat message with one content (no regrouping).</summary>
    /// <param name="message">The stored message.</param>
    /// <returns>The chat message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    public static ChatMessage ToChatMessage(this SessionMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ToChatMessage([message]);
    }

    /// <summary>The position of a stored message in its chat message: (index, count); (0, 1) when it stands alone.</summary>
    internal static (int Index, int Count) PartOf(SessionMessage message) => MessageParts.PartOf(message);

    private static ChatMessage ToChatMessage(List<SessionMessage> parts)
    {
        var first = parts[0];
        var contents = new List<AIContent>(parts.Count);
        foreach (var part in parts)
        {
            contents.Add(ToContent(part));
        }

        var message = new ChatMessage(ToChatRole(first.Role), contents)
        {
            AuthorName = first.AuthorId,
            CreatedAt = first.CreatedAt,
        };

        AdditionalPropertiesDictionary? properties = null;
        foreach (var (key, value) in first.Metadata)
        {
            switch (key)
            {
                case ChatMessageMetadataKeys.MessageId:
                    message.MessageId = value;
                    break;
                case ChatMessageMetadataKeys.CreatedAt:
                    message.CreatedAt = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
                    break;
                case ChatMessageMetadataKeys.Properties:
                    properties ??= [];
                    foreach (var (name, element) in JsonSerializer.Deserialize(value, ChatConversionJsonContext.Default.DictionaryStringJsonElement) ?? [])
                    {
                        properties[name] = element.ValueKind == JsonValueKind.Null ? null : element;
                    }

                    break;
                default:
                    if (!key.StartsWith(ChatMessageMetadataKeys.Prefix, StringComparison.Ordinal))
                    {
                        properties ??= [];
                        properties[key] = value;
                    }

                    break;
            }
        }

        message.AdditionalProperties = properties;
        return message;
    }

    private static AIContent ToContent(SessionMessage message)
    {
        message.Metadata.TryGetValue(ChatMessageMetadataKeys.Encoding, out string? encoding);
        switch (encoding)
        {
            case EncodingJson:
                return (AIContent?)JsonSerializer.Deserialize(message.Content, Json.GetTypeInfo(typeof(AIContent)))
                    ?? throw new JsonException($"Message #{message.Sequence} holds JSON content that is null.");
            case EncodingResult:
                return new FunctionResultContent(message.ToolCallId ?? string.Empty, message.Content);
            case EncodingResultJson:
                return new FunctionResultContent(message.ToolCallId ?? string.Empty, JsonSerializer.Deserialize(message.Content, ChatConversionJsonContext.Default.JsonElement));
            case EncodingResultNull:
                return new FunctionResultContent(message.ToolCallId ?? string.Empty, null);
            case EncodingArgumentsNull:
                return new FunctionCallContent(message.ToolCallId ?? string.Empty, message.ToolName ?? string.Empty);
        }

        if (message.ToolCallId is null)
        {
            return new TextContent(message.Content);
        }

        return message.Role == MessageRole.Tool
            ? new FunctionResultContent(message.ToolCallId, message.Content)
            : new FunctionCallContent(message.ToolCallId, message.ToolName ?? string.Empty, ParseArguments(message.Content));
    }

    // Arguments stored by this class are a JSON object; a tool call appended directly may carry any text.
    private static Dictionary<string, object?> ParseArguments(string content)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize(content, ChatConversionJsonContext.Default.DictionaryStringJsonElement);
            if (parsed is not null)
            {
                return parsed.ToDictionary(p => p.Key, p => p.Value.ValueKind == JsonValueKind.Null ? null : (object?)p.Value, StringComparer.Ordinal);
            }
        }
        catch (JsonException)
        {
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal) { ["arguments"] = content };
    }

    private static (NewMessage Part, string? Encoding) ToPart(MessageRole role, AIContent content)
    {
        switch (content)
        {
            case TextContent text when text.AdditionalProperties is not { Count: > 0 } && text.Annotations is not { Count: > 0 }:
                return (new NewMessage(role, text.Text ?? string.Empty), null);
            case FunctionCallContent call:
                return call.Arguments is null
                    ? (new NewMessage(role, string.Empty) { ToolCallId = call.CallId, ToolName = call.Name }, EncodingArgumentsNull)
                    : (new NewMessage(role, JsonSerializer.Serialize(call.Arguments, Json.GetTypeInfo(typeof(IDictionary<string, object?>)))) { ToolCallId = call.CallId, ToolName = call.Name }, null);
            case FunctionResultContent result:
                return result.Result switch
                {
                    null => (new NewMessage(role, string.Empty) { ToolCallId = result.CallId }, EncodingResultNull),
                    string text => (new NewMessage(role, text) { ToolCallId = result.CallId }, EncodingResult),
                    var value => (new NewMessage(role, JsonSerializer.Serialize(value, Json.GetTypeInfo(value.GetType()))) { ToolCallId = result.CallId }, EncodingResultJson),
                };
            default:
                return (new NewMessage(role, JsonSerializer.Serialize(content, Json.GetTypeInfo(typeof(AIContent)))), EncodingJson);
        }
    }

    private static JsonSerializerOptions CompactOptions()
    {
        // Source-generated metadata only (ours, then Microsoft.Extensions.AI's), so conversion works trimmed and under native AOT.
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.TypeInfoResolverChain.Insert(0, ChatConversionJsonContext.Default);
        options.MakeReadOnly();
        return options;
    }

    private static Dictionary<string, string> MessageMetadata(ChatMessage message)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (message.MessageId is not null)
        {
            metadata[ChatMessageMetadataKeys.MessageId] = message.MessageId;
        }

        if (message.CreatedAt is { } createdAt)
        {
            metadata[ChatMessageMetadataKeys.CreatedAt] = createdAt.ToString("O", CultureInfo.InvariantCulture);
        }

        if (message.AdditionalProperties is { Count: > 0 } properties)
        {
            Dictionary<string, object?>? other = null;
            foreach (var (key, value) in properties)
            {
                if (value is string text && !key.StartsWith(ChatMessageMetadataKeys.Prefix, StringComparison.Ordinal))
                {
                    metadata[key] = text;
                }
                else
                {
                    (other ??= new Dictionary<string, object?>(StringComparer.Ordinal))[key] = value;
                }
            }

            if (other is not null)
            {
                metadata[ChatMessageMetadataKeys.Properties] = JsonSerializer.Serialize(other, Json.GetTypeInfo(typeof(Dictionary<string, object?>)));
            }
        }

        return metadata;
    }

    private static Dictionary<string, string>? Finish(Dictionary<string, string> common, string? encoding, int index, int count)
    {
        if (encoding is null && count == 1 && common.Count == 0)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>(common, StringComparer.Ordinal);
        if (encoding is not null)
        {
            metadata[ChatMessageMetadataKeys.Encoding] = encoding;
        }

        if (count > 1)
        {
            metadata[ChatMessageMetadataKeys.Part] = string.Create(CultureInfo.InvariantCulture, $"{index}/{count}");
        }

        return metadata;
    }
}
