namespace SessionKit;

/// <summary>Settings for SessionKit as configured through <c>services.AddSessionKit(options =&gt; …)</c>.</summary>
public sealed class SessionKitOptions
{
    /// <summary>Size limits every store enforces.</summary>
    public SessionLimits Limits { get; } = new();

    /// <summary>How context windows are built and when summaries are made.</summary>
    public ContextOptions Context { get; } = new();

    /// <summary>Session token lifetimes and the device fingerprint key (for <see cref="ISessionTokenService"/> and <see cref="IDeviceRegistry"/>).</summary>
    public SessionTokenOptions SessionTokens { get; } = new();

    /// <summary>When a returning request continues a session and when it starts a new one (for <see cref="ISessionResolver"/>).</summary>
    public SessionResolverOptions Resolver { get; } = new();

    /// <summary>Expiry and retention policies: idle timeout, absolute lifetime, history retention (all off by default).</summary>
    public RetentionOptions Retention { get; } = new();

    /// <summary>Encryption at rest (off by default): set <see cref="EncryptionOptions.Enabled"/> and give the master keys.</summary>
    public EncryptionOptions Encryption { get; } = new();

    /// <summary>
    /// The tokenizer encoding to count with, one of <see cref="SharpTokenCounter.SupportedEncodings"/> (default
    /// <c>o200k_base</c>, as used by GPT-4o and later). Ignored when <see cref="Model"/> is set.
    /// </summary>
    public string TokenEncoding { get; set; } = SharpTokenCounter.O200kBase;

    /// <summary>The model whose tokenizer to count with (for example <c>gpt-4o</c> or <c>gpt-4</c>); <see langword="null"/> to use <see cref="TokenEncoding"/>.</summary>
    public string? Model { get; set; }

    internal ITokenCounter CreateTokenCounter() =>
        Model is not null ? SharpTokenCounter.ForModel(Model) : SharpTokenCounter.ForEncoding(TokenEncoding);
}
