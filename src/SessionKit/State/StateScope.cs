namespace SessionKit;

/// <summary>Where a piece of shared state lives and who sees it.</summary>
public enum StateScope
{
    /// <summary>One store-wide namespace shared by every user and session; the scope id is <see langword="null"/>.</summary>
    App = 0,

    /// <summary>One namespace per user, shared by all of that user's sessions; the scope id is the user id.</summary>
    User = 1,

    /// <summary>One namespace per session, deleted with it; the scope id is the session id. Changes appear in the session's change feed.</summary>
    Session = 2,

    /// <summary>Like <see cref="Session"/>, but kept in this store instance's memory only: never persisted, gone on restart, not in the change feed.</summary>
    Temp = 3,
}
