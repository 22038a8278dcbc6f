namespace SessionKit;

/// <summary>Where a context build looks for older messages to recall.</summary>
public enum RecallScope
{
    /// <summary>Only the session being built.</summary>
    Session = 0,

    /// <summary>Every session of the session's user; recalled items from other sessions carry their session id.</summary>
    User = 1,
}
