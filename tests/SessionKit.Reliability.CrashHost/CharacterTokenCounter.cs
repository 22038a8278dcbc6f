namespace SessionKit.Reliability.CrashHost;

/// <summary>A cheap counter (a token per four characters), so a freshly started child appends at once instead of loading an encoding.</summary>
internal sealed class CharacterTokenCounter : ITokenCounter
{
    public string EncodingName => "chars/4";

    public int RequestOverhead => 3;

    public int CountTokens(string text) => (text.Length + 3) / 4;

    public int CountMessageTokens(MessageRole role, string content, string? name = null) => CountTokens(content) + 4;
}
