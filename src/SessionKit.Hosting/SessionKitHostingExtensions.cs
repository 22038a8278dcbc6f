using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SessionKit.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the hosted retention sweeper and the hosted background summarizer.</summary>
public static class SessionKitHostingExtensions
{
    /// <summary>
    /// Runs <see cref="SessionKit.ISessionSweeper"/> periodically in the background (see <see cref="SessionSweeperService"/>).
    /// The policies come from <c>SessionKitOptions.Retention</c>; the options are validated at start. With no retention policy
    /// set the service logs a warning once and does not sweep (see <see cref="SessionSweeperServiceOptions.SweepWithoutRetentionPolicy"/>).
    /// </summary>
    /// <param name="builder">The builder from <c>AddSessionKit()</c>.</param>
    /// <param name="configure">Sets the interval and batch sizes; <see langword="null"/> for the defaults (hourly).</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder AddSessionKitSweeper(this ISessionKitBuilder builder, Action<SessionSweeperServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SessionSweeperServiceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionSweeperServiceOptions>, SessionSweeperServiceOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionSweeperService>(static services => new SessionSweeperService(
            services.GetRequiredService<SessionKit.ISessionSweeper>(),
            services.GetRequiredService<IOptions<SessionSweeperServiceOptions>>(),
            services.GetService<TimeProvider>(),
            services.GetService<Logging.ILogger<SessionSweeperService>>(),
            services.GetRequiredService<SessionKit.SessionExpiryPolicy>())));
        return builder;
    }

    /// <summary>
    /// Runs the embedding indexer as a hosted background service (see <see cref="EmbeddingIndexerService"/>): new and
    /// changed messages and summaries get vectors in batches, off the append path, with retries and backoff when the
    /// generator fails. Needs <c>UseEmbeddings(...)</c> on the same builder.
    /// </summary>
    /// <param name="builder">The builder from <c>AddSessionKit</c>.</param>
    /// <param name="configure">Adjusts polling and retries; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder AddSessionKitEmbeddingIndexer(this ISessionKitBuilder builder, Action<EmbeddingIndexerServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<EmbeddingIndexerServiceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(static o => o.Validate().Count == 0, "EmbeddingIndexerServiceOptions are invalid: PollInterval at least 10 ms, InitialRetryDelay positive, MaxRetryDelay at least InitialRetryDelay.").ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EmbeddingIndexerService>(static services => new EmbeddingIndexerService(
            services.GetService<SessionKit.EmbeddingIndexer>() ?? throw new InvalidOperationException(
                "AddSessionKitEmbeddingIndexer() needs an embedding generator: call UseEmbeddings(...) on the builder returned by AddSessionKit()."),
            services.GetRequiredService<IOptions<EmbeddingIndexerServiceOptions>>(),
            services.GetService<TimeProvider>(),
            services.GetService<Logging.ILogger<EmbeddingIndexerService>>())));
        return builder;
    }

    /// <summary>
    /// Drains summarization backlogs in the background (see <see cref="BackgroundSummarizerService"/>): builds that stop at
    /// <c>ContextOptions.MaxSummarizationsPerBuild</c> with summarizing still to do report their session to a
    /// <see cref="SessionKit.SummarizationBacklog"/>, and the service catches each one up off the request path.
    /// </summary>
    /// <param name="builder">The builder from <c>AddSessionKit()</c>.</param>
    /// <param name="capacity">The most sessions waiting at once (default 1,024); more are reported again by later builds.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder AddSessionKitBackgroundSummarizer(this ISessionKitBuilder builder, int capacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        builder.Services.TryAddSingleton(_ => new SessionKit.SummarizationBacklog(capacity));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BackgroundSummarizerService>(static services => new BackgroundSummarizerService(
            services.GetRequiredService<SessionKit.SummarizationBacklog>(),
            services.GetRequiredService<SessionKit.IContextBuilder>(),
            services.GetService<Logging.ILogger<BackgroundSummarizerService>>())));
        return builder;
    }
}
