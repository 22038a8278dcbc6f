using System.Text.Json;
using System.Text.Json.Serialization;

namespace SessionKit.Sqlite;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;

/// <summary>Metadata is stored as a JSON object of strings; an empty dictionary is stored as NULL.</summary>
internal static class MetadataJson
{
    public static object Serialize(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == 0)
        {
            return DBNull.Value;
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
