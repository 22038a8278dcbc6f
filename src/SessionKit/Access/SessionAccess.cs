namespace SessionKit;

/// <summary>What a grant allows. Owners always have every permission, including deleting and granting.</summary>
public enum SessionAccess
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Read sessions, messages and summaries; search; build context windows.</summary>
    Read = 1,

    /// <summary>Everything <see cref="Read"/> allows, plus appending messages, changing titles and metadata, saving and invalidating summaries, and (for a grant over all of a user's sessions) creating sessions for that user.</summary>
    ReadWrite = 2,
}
