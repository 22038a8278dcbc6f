using System.Text;

namespace SessionKit;

/// <summary>
/// An <see cref="ITokenCounter"/> for models whose tokenizer is not public (Claude, Gemini, and any model SessionKit does
/// not know): it charges every UTF-8 byte as one token, an upper bound on what any byte-level tokenizer produces, so a
/// window built within a budget with it stays within that budget on the real model.
/// </summary>
/// <remarks>
/// <para>
/// Why the byte length is a bound: byte-level BPE tokenizers (GPT, Claude, Llama 3, Mistral's Tekken and others) start
/// from one token per byte and every merge joins two tokens into one; SentencePiece tokenizers with byte fallback
/// (Gemini, Llama 2) emit either a vocabulary piece of at least one character or one token per byte. Either way no
/// text yields more tokens than its UTF-8 bytes. Unknown chat formats add tokens around each message, so each message
/// is charged a generous <see cref="MessageOverhead"/> and each request <see cref="RequestOverhead"/>.
/// </para>
/// <para>
/// The price of the guarantee: English prose runs about four bytes per token on current tokenizers, so a budget holds
/// roughly a quarter of the text an exact counter would admit. Where a tighter count matters more than the guarantee,
/// count with the closest public tokenizer instead (for example <see cref="SharpTokenCounter.Default"/>), knowing that
/// other tokenizers can produce more tokens for the same text.
/// </para>
/// <para>Select it with <c>SessionKitOptions.TokenEncoding = ConservativeTokenCounter.Utf8Bytes</c> (and no
/// <c>Model</c>), or pass <see cref="Instance"/> to a store, context builder or summarizer.</para>
/// </remarks>
public sealed class ConservativeTokenCounter : ITokenCounter
{
    /// <summary>The <see cref="EncodingName"/> of this counter, <c>utf8-bytes</c>; also the value of <c>SessionKitOptions.TokenEncoding</c> that selects it.</summary>
    public const string Utf8Bytes = "utf8-bytes";

    /// <summary>The tokens charged per message for the chat format's framing and role (OpenAI's format uses 4).</summary>
    public const int MessageOverhead = 8;

    private ConservativeTokenCounter()
    {
    }

    /// <summary>The counter. It holds no state; the same instance every time.</summary>
    public static ConservativeTokenCounter Instance { get; } = new();

    /// <inheritdoc />
    public string EncodingName => Utf8Bytes;

    /// <summary>The tokens charged once per request for the priming of the reply: 8.</summary>
    public int RequestOverhead => 8;

    /// <summary>Counts the UTF-8 bytes of <paramref name="text"/>, an upper bound on its tokens for any byte-level tokenizer.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The byte length (an unpaired surrogate counts as the 3 bytes of its replacement character).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encoding.UTF8.GetByteCount(text);
    }

    /// <summary>Charges <see cref="MessageOverhead"/> plus the bytes of the content, and of the name plus one when a name is given.</summary>
    /// <param name="role">The message's role (its framing is part of <see cref="MessageOverhead"/>).</param>
    /// <param name="content">The message's content.</param>
    /// <param name="name">The author or tool name sent with the message; <see langword="null"/> or empty for none.</param>
    /// <returns>The number of tokens charged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="content"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="role"/> is not a defined <see cref="MessageRole"/>.</exception>
    public int CountMessageTokens(MessageRole role, string content, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (role is not (MessageRole.System or MessageRole.User or MessageRole.Assistant or MessageRole.Tool))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown message role.");
        }

        int count = MessageOverhead + Encoding.UTF8.GetByteCount(content);
        return string.IsNullOrEmpty(name) ? count : count + Encoding.UTF8.GetByteCount(name) + 1;
    }

    /// <inheritdoc />
    public override string ToString() => $"{nameof(ConservativeTokenCounter)}({Utf8Bytes})";
}
