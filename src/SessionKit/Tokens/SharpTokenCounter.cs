using System.Collections.Frozen;
using SessionKit.Storage;
using SharpToken;

namespace SessionKit;

/// <summary>
/// An <see cref="ITokenCounter"/> over the SharpToken port of OpenAI's tiktoken encodings
/// (<c>o200k_base</c> and <c>cl100k_base</c>).
/// </summary>
/// <remarks>
/// <para>
/// Loading an encoding takes 0.5–1 s, so each encoding is loaded lazily, once per process, on the first count that needs
/// it, and shared by every instance; <see cref="ForEncoding"/>, <see cref="ForModel"/> and <see cref="Default"/> return
/// cached instances. Instances are immutable and thread-safe.
/// </para>
/// <para>
/// Text is counted as ordinary text: special-token markers such as <c>&lt;|endoftext|&gt;</c> inside a message are
/// counted as the characters they are (as the chat API does with user content), never rejected.
/// </para>
/// <para>
/// Chat messages are counted with the formula OpenAI's cookbook gives for the gpt-4, gpt-4o and later chat models
/// (see <see cref="CountMessageTokens"/> and <see cref="RequestOverhead"/>).
/// </para>
/// </remarks>
public sealed class SharpTokenCounter : ITokenCounter
{
    /// <summary>The name of the encoding of gpt-4o, gpt-4.1, o1, o3, o4 and later models; the default.</summary>
    public const string O200kBase = "o200k_base";

    /// <summary>The name of the encoding of gpt-4, gpt-3.5-turbo and the text-embedding-3 models.</summary>
    public const string Cl100kBase = "cl100k_base";

    // OpenAI cookbook, "How to count tokens with tiktoken", num_tokens_from_messages for gpt-4/gpt-4o.
    private const int TokensPerMessage = 3;
    private const int TokensPerName = 1;
    private const int TokensPerReply = 3;

    private static readonly SharpTokenCounter O200k = new(O200kBase);
    private static readonly SharpTokenCounter Cl100k = new(Cl100kBase);

    private static readonly FrozenDictionary<string, SharpTokenCounter> ByEncoding =
        new Dictionary<string, SharpTokenCounter>(StringComparer.Ordinal)
        {
            [O200kBase] = O200k,
            [Cl100kBase] = Cl100k,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    // Checked in order before SharpToken's own table, which (in 2.0.6) misses gpt-4.1 and the o-series.
    // A prefix matches the model name itself or the name followed by '-' (a dated or sized variant).
    private static readonly (string Prefix, SharpTokenCounter Counter)[] ModelPrefixes =
    [
        ("gpt-4o", O200k),
        ("chatgpt-4o", O200k),
        ("gpt-4.1", O200k),
        ("gpt-4.5", O200k),
        ("gpt-5", O200k),
        ("o1", O200k),
        ("o3", O200k),
        ("o4", O200k),
        ("gpt-4", Cl100k),
        ("gpt-3.5-turbo", Cl100k),
        ("gpt-35-turbo", Cl100k),
        ("text-embedding-3-small", Cl100k),
        ("text-embedding-3-large", Cl100k),
        ("text-embedding-ada-002", Cl100k),
    ];

    private static string ModelAdvice =>
        $"SessionKit has the tokenizers of OpenAI models only ({string.Join(", ", SupportedEncodings)}). "
        + "For a model without a public tokenizer (Claude, Gemini, Llama, …) count with the conservative upper bound: set "
        + $"SessionKitOptions.TokenEncoding = \"{ConservativeTokenCounter.Utf8Bytes}\" and leave SessionKitOptions.Model unset "
        + $"(outside dependency injection: {nameof(ConservativeTokenCounter)}.{nameof(ConservativeTokenCounter.Instance)}). "
        + $"For a model that uses an OpenAI encoding set SessionKitOptions.TokenEncoding to \"{O200kBase}\" or \"{Cl100kBase}\".";

    private readonly Lazy<LoadedEncoding> _encoding;

    private SharpTokenCounter(string encodingName)
    {
        EncodingName = encodingName;
        _encoding = new Lazy<LoadedEncoding>(() => new LoadedEncoding(BytePairCounter.Load(encodingName)), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The counter for <c>o200k_base</c>, the encoding of current OpenAI models. The same instance every time.</summary>
    public static SharpTokenCounter Default => O200k;

    /// <summary>The encodings <see cref="ForEncoding"/> accepts: <c>o200k_base</c> and <c>cl100k_base</c>.</summary>
    public static IReadOnlyList<string> SupportedEncodings { get; } = [O200kBase, Cl100kBase];

    /// <inheritdoc />
    public string EncodingName { get; }

    /// <summary>
    /// The tokens a request adds once, whatever its messages: 3, the priming of the reply
    /// (<c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>).
    /// </summary>
    public int RequestOverhead => TokensPerReply;

    internal BytePairCounter Counter => _encoding.Value.Counter;

    /// <summary>Gets the counter for an encoding by its tiktoken name.</summary>
    /// <param name="encodingName"><c>o200k_base</c> or <c>cl100k_base</c> (ordinal, case-sensitive, as tiktoken names them).</param>
    /// <returns>The shared counter for that encoding. The encoding itself is loaded on the first count.</returns>
    /// <exception cref="ArgumentException">The encoding is not one of <see cref="SupportedEncodings"/>.</exception>
    public static SharpTokenCounter ForEncoding(string encodingName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(encodingName);
        if (ByEncoding.TryGetValue(encodingName, out var counter))
        {
            return counter;
        }

        throw new ArgumentException(
            $"Unknown or unsupported encoding '{encodingName}'. Supported encodings: {string.Join(", ", SupportedEncodings)}.",
            nameof(encodingName));
    }

    /// <summary>Gets the counter for the encoding an OpenAI model uses.</summary>
    /// <param name="modelName">
    /// The model name, e.g. <c>gpt-4o</c>, <c>gpt-4o-mini</c>, <c>gpt-4.1</c>, <c>o3-mini</c> (→ <c>o200k_base</c>) or <c>gpt-4</c>,
    /// <c>gpt-4-turbo</c>, <c>gpt-3.5-turbo</c>, <c>text-embedding-3-small</c> (→ <c>cl100k_base</c>). Dated and sized variants
    /// (<c>gpt-4o-2024-08-06</c>) map as their family; names SessionKit does not know are looked up in SharpToken's table.
    /// </param>
    /// <returns>The shared counter for the model's encoding.</returns>
    /// <exception cref="ArgumentException">The model is unknown, or uses an encoding other than <see cref="SupportedEncodings"/>.</exception>
    public static SharpTokenCounter ForModel(string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        foreach (var (prefix, counter) in ModelPrefixes)
        {
            if (modelName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (modelName.Length == prefix.Length || modelName[prefix.Length] == '-'))
            {
                return counter;
            }
        }

        string encodingName;
        try
        {
            encodingName = Model.GetEncodingNameForModel(modelName);
        }
        catch (Exception ex) when (ex.GetType() == typeof(Exception))
        {
            // SharpToken signals an unknown model with a plain Exception.
            throw new ArgumentException($"Unknown model '{modelName}'. {ModelAdvice}", nameof(modelName), ex);
        }

        if (ByEncoding.TryGetValue(encodingName, out var mapped))
        {
            return mapped;
        }

        throw new ArgumentException(
            $"Model '{modelName}' uses the encoding '{encodingName}', which SessionKit does not support. {ModelAdvice}",
            nameof(modelName));
    }

    /// <summary>Counts the tokens of plain text, without building the token list.</summary>
    /// <param name="text">The text; special-token markers in it are counted as ordinary text.</param>
    /// <returns>The number of tokens; 0 for the empty string.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? 0 : Counter.Count(text);
    }

    /// <summary>
    /// Counts what one chat message costs in a prompt, following OpenAI's cookbook formula for gpt-4/gpt-4o models:
    /// <c>3 + tokens(role) + tokens(content)</c>, plus <c>tokens(name) + 1</c> when a name is given.
    /// </summary>
    /// <remarks>
    /// The 3 tokens are the message's frame (<c>&lt;|start|&gt;</c>, <c>&lt;|message|&gt;</c>, <c>&lt;|end|&gt;</c>); the role is
    /// counted as the API spells it (<c>system</c>, <c>user</c>, <c>assistant</c>, <c>tool</c>: 1 token each in both encodings).
    /// For tool calls this is an approximation, since the API serializes calls in its own (undocumented) format: stored
    /// messages are charged by <see cref="TokenCounting.CountMessage"/>, which counts the call's JSON arguments as the
    /// content, the author as the name, and adds the tokens of the tool-call id and tool name. Add
    /// <see cref="RequestOverhead"/> once per request.
    /// </remarks>
    /// <param name="role">The message's role.</param>
    /// <param name="content">The message's content.</param>
    /// <param name="name">The author or tool name sent with the message; <see langword="null"/> or empty for none.</param>
    /// <returns>The number of tokens.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="role"/> is not a defined <see cref="MessageRole"/>.</exception>
    public int CountMessageTokens(MessageRole role, string content, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var loaded = _encoding.Value;
        var count = TokensPerMessage + loaded.RoleTokens(role) + CountTokens(content);
        if (!string.IsNullOrEmpty(name))
        {
            count += CountTokens(name) + TokensPerName;
        }

        return count;
    }

    /// <inheritdoc />
    public override string ToString() => $"{nameof(SharpTokenCounter)}({EncodingName})";

    private sealed class LoadedEncoding
    {
        private readonly int[] _roleTokens;

        public LoadedEncoding(BytePairCounter counter)
        {
            Counter = counter;
            _roleTokens = [counter.Count("system"), counter.Count("user"), counter.Count("assistant"), counter.Count("tool")];
        }

        public BytePairCounter Counter { get; }

        public int RoleTokens(MessageRole role) => role switch
        {
            MessageRole.System or MessageRole.User or MessageRole.Assistant or MessageRole.Tool => _roleTokens[(int)role],
            _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown message role."),
        };
    }
}
