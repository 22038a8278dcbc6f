using System.Text.Json;
using System.Text.Json.Serialization;

namespace SessionKit.Extensions.AI;

/// <summary>Source-generated JSON metadata for what chat conversion reads and writes itself (trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ChatConversionJsonContext : JsonSerializerContext;
