namespace SessionKit;

/// <summary>Size limits every store enforces before anything is written.</summary>
public sealed class SessionLimits
{
    /// <summary>The largest message content accepted, in UTF-16 characters (default 1,048,576).</summary>
    public int MaxContentLength { get; set; } = 1024 * 1024;

    /// <summary>The largest number of messages one append may carry (default 1,000).</summary>
    public int MaxMessagesPerAppend { get; set; } = 1000;

    /// <summary>The largest number of metadata entries on one session or message (default 64).</summary>
    public int MaxMetadataEntries { get; set; } = 64;

    /// <summary>The longest user, author or tool id accepted, in characters (default 256).</summary>
    public int MaxIdLength { get; set; } = 256;

    /// <summary>
    /// The longest session title accepted, in UTF-16 characters (default 1,024). A title is shown in lists; longer text
    /// belongs in a message or in metadata.
    /// </summary>
    public int MaxTitleLength { get; set; } = 1024;

    /// <summary>Returns a description of each invalid setting, naming it; empty when all are valid.</summary>
    /// <param name="prefix">The path of this object in its parent options, used in the messages.</param>
    /// <returns>The failures.</returns>
    public IReadOnlyList<string> Validate(string prefix = nameof(SessionLimits))
    {
        var failures = new List<string>();
        if (MaxContentLength < 1)
        {
            failures.Add($"{prefix}.{nameof(MaxContentLength)} must be at least 1 (was {MaxContentLength}).");
        }

        if (MaxMessagesPerAppend < 1)
        {
            failures.Add($"{prefix}.{nameof(MaxMessagesPerAppend)} must be at least 1 (was {MaxMessagesPerAppend}).");
        }

        if (MaxMetadataEntries < 0)
        {
            failures.Add($"{prefix}.{nameof(MaxMetadataEntries)} must not be negative (was {MaxMetadataEntries}).");
        }

        if (MaxIdLength < 1)
        {
            failures.Add($"{prefix}.{nameof(MaxIdLength)} must be at least 1 (was {MaxIdLength}).");
        }

        if (MaxTitleLength < 1)
        {
            failures.Add($"{prefix}.{nameof(MaxTitleLength)} must be at least 1 (was {MaxTitleLength}).");
        }

        return failures;
    }

    internal SessionLimits Clone() => (SessionLimits)MemberwiseClone();
}
