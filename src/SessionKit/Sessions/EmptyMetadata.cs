using System.Collections.ObjectModel;

namespace SessionKit;

internal static class EmptyMetadata
{
    public static readonly IReadOnlyDictionary<string, string> Instance = ReadOnlyDictionary<string, string>.Empty;
}
