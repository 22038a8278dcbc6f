using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionKit;
using SessionKit.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs a model-backed summarizer into SessionKit's dependency-injection setup, and registers bindable options.</summary>
public static class SessionKitBuilderChatClientExtensions
{
    /// <summary>
    /// Makes a <see cref="ChatClientSummarizer"/> over the container's <see cref="IChatClient"/> the <see cref="ISummarizer"/>,
    /// replacing the offline default. The client is resolved when the first summary is asked for. When the container's
    /// client is the one wrapped with <c>UseSessionKit</c>, register the plain model as a keyed client instead and use
    /// <see cref="UseChatClientSummarizer(ISessionKitBuilder, object, Action{ChatClientSummarizerOptions}?)"/>.
    /// </summary>
    /// <param name="builder">The SessionKit builder.</param>
    /// <param name="configure">Optional configuration of the summarizer, applied after the registered options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ISessionKitBuilder UseChatClientSummarizer(this ISessionKitBuilder builder, Action<ChatClientSummarizerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Register(builder, static services => services.GetRequiredService<IChatClient>(), configure);
    }

    /// <summary>
    /// Makes a <see cref="ChatClientSummarizer"/> over the keyed <see cref="IChatClient"/> registered under
    /// <paramref name="chatClientKey"/> (<c>services.AddKeyedChatClient(key, model)</c>) the <see cref="ISummarizer"/>: the
    /// way to summarize with a plain model while the container's unkeyed client is the <c>UseSessionKit</c> pipeline.
    /// </summary>
    /// <param name="builder">The SessionKit builder.</param>
    /// <param name="chatClientKey">The service key of the summarizer's client.</param>
    /// <param name="configure">Optional configuration of the summarizer, applied after the registered options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ISessionKitBuilder UseChatClientSummarizer(this ISessionKitBuilder builder, object chatClientKey, Action<ChatClientSummarizerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(chatClientKey);
        return Register(builder, services => services.GetRequiredKeyedService<IChatClient>(chatClientKey), configure);
    }

    /// <summary>Makes a <see cref="ChatClientSummarizer"/> over <paramref name="chatClient"/> the <see cref="ISummarizer"/>, replacing the offline default.</summary>
    /// <param name="builder">The SessionKit builder.</param>
    /// <param name="chatClient">The client to ask for summaries.</param>
    /// <param name="configure">Optional configuration of the summarizer, applied after the registered options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public static ISessionKitBuilder UseChatClientSummarizer(this ISessionKitBuilder builder, IChatClient chatClient, Action<ChatClientSummarizerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(chatClient);
        return Register(builder, _ => chatClient, configure);
    }

    /// <summary>
    /// Registers <see cref="SessionKitChatClientOptions"/> for <c>UseSessionKit()</c> with validation at start, and returns
    /// its options builder for binding: <c>services.AddSessionKitChatClientOptions().Bind(configuration.GetSection("SessionKit:Chat"))</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The options builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static OptionsBuilder<SessionKitChatClientOptions> AddSessionKitChatClientOptions(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionKitChatClientOptions>, SessionKitChatOptionsValidator>());
        return services.AddOptions<SessionKitChatClientOptions>().ValidateOnStart();
    }

    /// <summary>
    /// Registers <see cref="ChatClientSummarizerOptions"/> for <c>UseChatClientSummarizer()</c> with validation at start, and
    /// returns its options builder for binding: <c>services.AddChatClientSummarizerOptions().Bind(configuration.GetSection("SessionKit:Summarizer"))</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The options builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static OptionsBuilder<ChatClientSummarizerOptions> AddChatClientSummarizerOptions(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatClientSummarizerOptions>, SessionKitChatOptionsValidator>());
        return services.AddOptions<ChatClientSummarizerOptions>().ValidateOnStart();
    }

    private static ISessionKitBuilder Register(ISessionKitBuilder builder, Func<IServiceProvider, IChatClient> chatClient, Action<ChatClientSummarizerOptions>? configure)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatClientSummarizerOptions>, SessionKitChatOptionsValidator>());
        builder.Services.Replace(ServiceDescriptor.Singleton<ISummarizer>(services =>
        {
            var options = services.GetService<IOptions<ChatClientSummarizerOptions>>()?.Value.Clone() ?? new ChatClientSummarizerOptions();
            configure?.Invoke(options);
            // Resolved on first use: the unkeyed client may be the UseSessionKit pipeline, which itself needs the summarizer.
            return new ChatClientSummarizer(
                new Lazy<IChatClient>(() => chatClient(services), LazyThreadSafetyMode.PublicationOnly),
                services.GetRequiredService<ITokenCounter>(),
                options,
                services.GetService<TimeProvider>(),
                services.GetService<ILogger<ChatClientSummarizer>>());
        }));
        return builder;
    }
}
