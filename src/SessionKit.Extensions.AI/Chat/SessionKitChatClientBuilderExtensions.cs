using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SessionKit;
using SessionKit.Extensions.AI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="SessionKitChatClient"/> to a chat-client pipeline.</summary>
public static class SessionKitChatClientBuilderExtensions
{
    /// <summary>
    /// Adds SessionKit memory to the pipeline, <b>access-checked</b>: each request acts for its caller (named in the
    /// request with <see cref="SessionKitChatOptions.WithSessionCaller"/>, else the registered
    /// <see cref="ISessionCallerAccessor"/>'s current caller) through <see cref="ISessionAccessor"/>; a request without a
    /// caller, or for a session its caller may not use, is refused before the model is called. Services come from the
    /// builder's service provider (register them with <c>services.AddSessionKit()</c>); settings from
    /// <see cref="IOptions{TOptions}"/> of <see cref="SessionKitChatClientOptions"/> when registered, then
    /// <paramref name="configure"/>. The budget defaults to <see cref="ContextOptions.DefaultTokenBudget"/> of the registered
    /// <see cref="SessionKitOptions"/>.
    /// </summary>
    /// <param name="builder">The chat-client builder.</param>
    /// <param name="configure">Optional configuration of the middleware.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseSessionKit(this ChatClientBuilder builder, Action<SessionKitChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) => new SessionKitChatClient(
            innerClient,
            services.GetRequiredService<ISessionAccessor>(),
            services.GetRequiredService<ITokenCounter>(),
            Options(services, configure),
            services.GetService<ISessionCallerAccessor>())
        {
            Metrics = SessionKitMetrics.From(services),
        });
    }

    /// <summary>
    /// Adds SessionKit memory to the pipeline, access-checked through <paramref name="accessor"/> (no service provider
    /// needed); each request's caller is named in the request or by <paramref name="callerAccessor"/>.
    /// </summary>
    /// <param name="builder">The chat-client builder.</param>
    /// <param name="accessor">Gives each request's caller its scope.</param>
    /// <param name="tokenCounter">Counts the prompt against the budget.</param>
    /// <param name="callerAccessor">The host's current caller; <see langword="null"/> if requests always name theirs.</param>
    /// <param name="configure">Optional configuration of the middleware.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseSessionKit(
        this ChatClientBuilder builder,
        ISessionAccessor accessor,
        ITokenCounter tokenCounter,
        ISessionCallerAccessor? callerAccessor = null,
        Action<SessionKitChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(accessor);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        var options = new SessionKitChatClientOptions();
        configure?.Invoke(options);
        return builder.Use(innerClient => new SessionKitChatClient(innerClient, accessor, tokenCounter, options, callerAccessor));
    }

    /// <summary>
    /// Adds SessionKit memory to the pipeline <b>without access checks</b>: every request may read and write any session of
    /// the registered (trusted) <see cref="ISessionStore"/>. For trusted back-office code only — never for requests that
    /// arrive from users. Services and settings come from the service provider as for <see cref="UseSessionKit(ChatClientBuilder, Action{SessionKitChatClientOptions}?)"/>.
    /// </summary>
    /// <param name="builder">The chat-client builder.</param>
    /// <param name="configure">Optional configuration of the middleware.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseSessionKitTrusted(this ChatClientBuilder builder, Action<SessionKitChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var client = SessionKitChatClient.CreateTrusted(
                innerClient,
                services.GetRequiredService<ISessionStore>(),
                services.GetRequiredService<IContextBuilder>(),
                services.GetRequiredService<ITokenCounter>(),
                Options(services, configure),
                services.GetService<ISessionCallerAccessor>());
            client.Metrics = SessionKitMetrics.From(services);
            return client;
        });
    }

    /// <summary>
    /// Adds SessionKit memory to the pipeline over explicitly given parts, <b>without access checks of its own</b>: requests
    /// use <paramref name="store"/> and <paramref name="contextBuilder"/> as given. Pass a trusted store only from trusted
    /// back-office code, or a caller's <see cref="SessionScope"/> and <see cref="SessionScope.Context"/> to hold
    /// a client built for one request to that caller.
    /// </summary>
    /// <param name="builder">The chat-client builder.</param>
    /// <param name="store">Where the conversation is stored.</param>
    /// <param name="contextBuilder">Builds the context window over <paramref name="store"/>.</param>
    /// <param name="tokenCounter">Counts the prompt against the budget.</param>
    /// <param name="configure">Optional configuration of the middleware.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseSessionKitTrusted(
        this ChatClientBuilder builder,
        ISessionStore store,
        IContextBuilder contextBuilder,
        ITokenCounter tokenCounter,
        Action<SessionKitChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(contextBuilder);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        var options = new SessionKitChatClientOptions();
        configure?.Invoke(options);
        return builder.Use(innerClient => SessionKitChatClient.CreateTrusted(innerClient, store, contextBuilder, tokenCounter, options));
    }

    private static SessionKitChatClientOptions Options(IServiceProvider services, Action<SessionKitChatClientOptions>? configure)
    {
        // Registered (bound, validated) options first; a copy, so configure never changes the shared instance.
        var options = services.GetService<IOptions<SessionKitChatClientOptions>>()?.Value.Clone() ?? new SessionKitChatClientOptions();
        options.TokenBudget ??= services.GetService<IOptions<SessionKitOptions>>()?.Value.Context.DefaultTokenBudget;
        configure?.Invoke(options);
        return options;
    }
}
