namespace SessionKit;

/// <summary>The outcome of an edit.</summary>
/// <param name="Session">The session after the edit (new version).</param>
/// <param name="Message">The message as stored now.</param>
public sealed record CorrectionResult(Session Session, SessionMessage Message);
