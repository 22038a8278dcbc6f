using System.Text.Json;
using System.Text.Json.Serialization;

namespace SessionKit.PostgreSql;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;

/// <summary>Metadata is stored as a JSON object of strings (text, so key order and escapes stay as written); an empty dictionary is stored as NULL.</summary>
internal static class MetadataJson
{
    public static string? Serialize(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == 0)
        {
            return null;
        }

        var copy = metadata as Dictionary<string, string> ?? new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        return JsonSerializer.Serialize(copy, MetadataJsonContext.Default.DictionaryStringString);
    }

    public static IReadOnlyDictionary<string, string> Deserialize(string? json)
    {
        if (json is null)
        {
            return EmptyMetadata.Instance;
        }

        var dictionary = JsonSerializer.Deserialize(json, MetadataJsonContext.Default.DictionaryStringString)
            ?? throw new JsonException("Stored metadata is JSON null, not an object.");
        return dictionary.AsReadOnly();
    }
}
