using Microsoft.Extensions.AI;

namespace SessionKit.Extensions.AI;

/// <summary>How a request names its caller to the SessionKit middleware through <see cref="ChatOptions.AdditionalProperties"/>.</summary>
public static class SessionKitChatOptions
{
    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key whose value is the request's authenticated
    /// <see cref="SessionCaller"/> (an instance, not text: a caller cannot arrive inside deserialized request JSON).
    /// The middleware removes it before calling the inner client.
    /// </summary>
    public const string CallerKey = "sessionkit.caller";

    /// <summary>Names the authenticated caller of the request these options go with.</summary>
    /// <param name="options">The request's options.</param>
    /// <param name="caller">The caller the host authenticated.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ChatOptions WithSessionCaller(this ChatOptions options, SessionCaller caller)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(caller);
        (options.AdditionalProperties ??= [])[CallerKey] = caller;
        return options;
    }

    /// <summary>The caller named in <paramref name="options"/>, or <see langword="null"/>.</summary>
    /// <param name="options">The request's options, or <see langword="null"/>.</param>
    /// <returns>The caller, or <see langword="null"/> when none is named.</returns>
    /// <exception cref="ArgumentException">The key holds something other than a <see cref="SessionCaller"/>.</exception>
    public static SessionCaller? GetSessionCaller(this ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(CallerKey, out object? value) is not true || value is null
            ? null
            : value as SessionCaller ?? throw new ArgumentException(
                $"ChatOptions.AdditionalProperties[\"{CallerKey}\"] must hold a SessionCaller instance (SessionCaller.User(id) or SessionCaller.Agent(id)), not a {value.GetType().Name}.",
                nameof(options));
}
