using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SessionKit;
using SessionKit.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Plugs a model-backed summarizer into SessionKit's dependency-injection setup.</summary>
public static class SessionKitBuilderChatClientExtensions
{
    /// <summary>
    /// Makes a <see cref="ChatClientSummarizer"/> over the container's <see cref="IChatClient"/> the <see cref="ISummarizer"/>,
    /// replacing the offline default. The registered client should be a plain one, not wrapped with <c>UseSessionKit</c>.
    /// </summary>
    /// <param name="builder">The SessionKit builder.</param>
    /// <param name="configure">Optional configuration of the summarizer.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ISessionKitBuilder UseChatClientSummarizer(this ISessionKitBuilder builder, Action<ChatClientSummarizerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Register(builder, static services => services.GetRequiredService<IChatClient>(), configure);
    }

    /// <summary>Makes a <see cref="ChatClientSummarizer"/> over <paramref name="chatClient"/> the <see cref="ISummarizer"/>, replacing the offline default.</summary>
    /// <param name="builder">The SessionKit builder.</param>
    /// <param name="chatClient">The client to ask for summaries.</param>
    /// <param name="configure">Optional configuration of the summarizer.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public static ISessionKitBuilder UseChatClientSummarizer(this ISessionKitBuilder builder, IChatClient chatClient, Action<ChatClientSummarizerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(chatClient);
        return Register(builder, _ => chatClient, configure);
    }

    private static ISessionKitBuilder Register(ISessionKitBuilder builder, Func<IServiceProvider, IChatClient> chatClient, Action<ChatClientSummarizerOptions>? configure)
    {
        var options = new ChatClientSummarizerOptions();
        configure?.Invoke(options);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISummarizer>(services =>
            new ChatClientSummarizer(chatClient(services), services.GetRequiredService<ITokenCounter>(), options)));
        return builder;
    }
}
