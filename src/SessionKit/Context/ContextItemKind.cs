namespace SessionKit;

/// <summary>What a <see cref="ContextItem"/> is.</summary>
public enum ContextItemKind
{
    /// <summary>The caller's system prompt.</summary>
    SystemPrompt = 0,

    /// <summary>A summary standing in for a range of older messages.</summary>
    Summary = 1,

    /// <summary>An older message brought back verbatim because it matches the request's query.</summary>
    Recalled = 2,

    /// <summary>A recent message, verbatim.</summary>
    Message = 3,
}
