namespace SessionKit;

/// <summary>Settings for SessionKit as configured through <c>services.AddSessionKit(options =&gt; …)</c>.</summary>
public sealed class SessionKitOptions
{
    /// <summary>Size limits every store enforces.</summary>
    public SessionLimits Limits { get; } = new();
}
