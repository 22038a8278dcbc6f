namespace SessionKit;

/// <summary>What kind of principal a <see cref="SessionCaller"/> is.</summary>
public enum SessionCallerKind
{
    /// <summary>An end user, identified by the host application. A user owns the sessions created with its id.</summary>
    User = 0,

    /// <summary>A software agent (a tool, a worker, another model). An agent owns nothing and acts only through grants.</summary>
    Agent = 1,
}
