using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SessionKit;
using SessionKit.Extensions.AI;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="SessionKitChatClient"/> to a chat-client pipeline.</summary>
public static class SessionKitChatClientBuilderExtensions
{
    /// <summary>
    /// Adds SessionKit memory to the pipeline, resolving <see cref="ISessionStore"/>, <see cref="IContextBuilder"/> and
    /// <see cref="ITokenCounter"/> from the builder's service provider (register them with <c>services.AddSessionKit()</c>).
    /// The budget defaults to <see cref="ContextOptions.DefaultTokenBudget"/> of the registered <see cref="SessionKitOptions"/>.
    /// </summary>
    /// <param name="builder">The chat-client builder.</param>
    /// <param name="configure">Optional configuration of the middleware.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseSessionKit(this ChatClientBuilder builder, Action<SessionKitChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var options = new SessionKitChatClientOptions
            {
                TokenBudget = services.GetService<IOptions<SessionKitOptions>>()?.Value.Context.DefaultTokenBudget,
            };
            configure?.Invoke(options);
            return new SessionKitChatClient(
                innerClient,
                services.GetRequiredService<ISessionStore>(),
                services.GetRequiredService<IContextBuilder>(),
                services.GetRequiredService<ITokenCounter>(),
                options)
            {
                Metrics = SessionKitMetrics.From(services),
            };
        });
    }

    /// <summary>Adds SessionKit memory to the pipeline with explicitly given parts (no service provider needed).</summary>
    /// <param name="builder">The chat-client builder.</param>
    /// <param name="store">Where the conversation is stored.</param>
    /// <param name="contextBuilder">Builds the context window over <paramref name="store"/>.</param>
    /// <param name="tokenCounter">Counts the prompt against the budget.</param>
    /// <param name="configure">Optional configuration of the middleware.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseSessionKit(
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
        return builder.Use(innerClient => new SessionKitChatClient(innerClient, store, contextBuilder, tokenCounter, options));
    }
}
