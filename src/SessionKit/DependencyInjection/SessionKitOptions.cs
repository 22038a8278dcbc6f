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
    /// The tokenizer encoding to count with: <c>o200k_base</c> (the default; GPT-4o and later), <c>cl100k_base</c> (GPT-4,
    /// GPT-3.5), or <c>utf8-bytes</c> (<see cref="ConservativeTokenCounter.Utf8Bytes"/>), a conservative upper bound for
    /// models whose tokenizer is not public, such as Claude and Gemini. Ignored when <see cref="Model"/> is set.
    /// </summary>
    public string TokenEncoding { get; set; } = SharpTokenCounter.O200kBase;

    /// <summary>
    /// The OpenAI model whose tokenizer to count with (for example <c>gpt-4o</c> or <c>gpt-4</c>); <see langword="null"/>
    /// to use <see cref="TokenEncoding"/>. For other models leave this unset and set <see cref="TokenEncoding"/>.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>The values <see cref="TokenEncoding"/> accepts.</summary>
    internal static IReadOnlyList<string> TokenEncodings { get; } = [.. SharpTokenCounter.SupportedEncodings, ConservativeTokenCounter.Utf8Bytes];

    internal ITokenCounter CreateTokenCounter()
    {
        if (Model is not null)
        {
            return SharpTokenCounter.ForModel(Model);
        }

        if (string.Equals(TokenEncoding, ConservativeTokenCounter.Utf8Bytes, StringComparison.Ordinal))
        {
            return ConservativeTokenCounter.Instance;
        }

        if (TokenEncoding is null || !SharpTokenCounter.SupportedEncodings.Contains(TokenEncoding, StringComparer.Ordinal))
        {
            throw new ArgumentException(
                $"Unknown encoding '{TokenEncoding}'. Choose one of: {string.Join(", ", TokenEncodings)} ({ConservativeTokenCounter.Utf8Bytes} is a conservative upper bound for models without a public tokenizer).",
                nameof(TokenEncoding));
        }

        return SharpTokenCounter.ForEncoding(TokenEncoding);
    }
}
