namespace SessionKit.Extensions.AI;

/// <summary>
/// The <see cref="SessionMessage.Metadata"/> keys that <see cref="ChatMessageConversion"/> reserves to make the conversion
/// between <see cref="Microsoft.Extensions.AI.ChatMessage"/> and SessionKit messages lossless. All start with <see cref="Prefix"/>.
/// </summary>
public static class ChatMessageMetadataKeys
{
    /// <summary>The prefix of every reserved key; additional properties whose key starts with it are stored in <see cref="Properties"/>.</summary>
    public const string Prefix = "sessionkit.";

    /// <summary>
    /// Marks one part of a chat message that had several contents, as <c>index/count</c> (for example <c>1/3</c>): the
    /// parts are stored as consecutive messages of one batch and regrouped into one chat message on the way back.
    /// </summary>
    public const string Part = Prefix + "part";

    /// <summary>The chat message's <see cref="Microsoft.Extensions.AI.ChatMessage.MessageId"/>.</summary>
    public const string MessageId = Prefix + "message_id";

    /// <summary>The chat message's own <see cref="Microsoft.Extensions.AI.ChatMessage.CreatedAt"/> (round-trip format), when it had one.</summary>
    public const string CreatedAt = Prefix + "created_at";

    /// <summary>
    /// Additional properties that are not plain strings (or whose key starts with <see cref="Prefix"/>), as one JSON object;
    /// they come back as <see cref="System.Text.Json.JsonElement"/> values.
    /// </summary>
    public const string Properties = Prefix + "properties";

    /// <summary>
    /// How the part's content is encoded when it is not plain text: <c>json</c> for an <see cref="Microsoft.Extensions.AI.AIContent"/>
    /// serialized with its type discriminator; <c>result</c>, <c>result-json</c> or <c>result-null</c> for a function result
    /// whose value is a string, a JSON value or <see langword="null"/>.
    /// </summary>
    public const string Encoding = Prefix + "encoding";
}
