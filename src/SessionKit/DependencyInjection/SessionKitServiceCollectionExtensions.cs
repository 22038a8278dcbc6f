using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SessionKit.Storage;
using SessionKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SessionKit in a service collection.</summary>
public static class SessionKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds SessionKit's options (validated at start-up) and returns a builder on which to choose a backend,
    /// for example <c>UseInMemory()</c> or <c>UseSqlite("Data Source=sessions.db")</c> from the SessionKit.Sqlite package.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Optional configuration of <see cref="SessionKitOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Registrations use <c>TryAdd</c>, so a service the host registered first wins. Resolving <see cref="ISessionStore"/>
    /// before a backend was chosen throws an <see cref="InvalidOperationException"/> that says how to choose one.
    /// <see cref="ISessionTokenService"/>, <see cref="IDeviceRegistry"/> and <see cref="ISessionResolver"/> keep their data in the chosen store, which must
    /// also implement <see cref="ISessionTokenStore"/> (both built-in backends do); otherwise resolving them throws an
    /// <see cref="InvalidOperationException"/> naming the store. <see cref="ISessionAccessor"/> (caller-scoped access with grants)
    /// likewise needs the store to implement <see cref="ISessionAccessStore"/>.
    /// </remarks>
    public static ISessionKitBuilder AddSessionKit(this IServiceCollection services, Action<SessionKitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<SessionKitOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionKitOptions>, SessionKitOptionsValidator>());
        services.TryAddSingleton<ISessionStore>(static _ => throw new InvalidOperationException(
            "No SessionKit storage backend is configured. Call UseSqlite(...) (package SessionKit.Sqlite) or UseInMemory() on the builder returned by AddSessionKit()."));
        // Metrics on a meter from the container's IMeterFactory when there is one (AddMetrics(), or any host), else the shared meter.
        services.TryAddSingleton(static services => new SessionKitMetrics(services.GetService<IMeterFactory>()));
        services.TryAddSingleton<ITokenCounter>(static services => services.GetRequiredService<IOptions<SessionKitOptions>>().Value.CreateTokenCounter());
        services.TryAddSingleton<ISummarizer>(static services => new ExtractiveSummarizer(services.GetRequiredService<ITokenCounter>()));
        services.TryAddSingleton<IContextBuilder>(static services => new ContextBuilder(
            services.GetRequiredService<ISessionStore>(),
            services.GetRequiredService<ITokenCounter>(),
            services.GetRequiredService<ISummarizer>(),
            services.GetRequiredService<IOptions<SessionKitOptions>>().Value.Context,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<ContextBuilder>())
        {
            Metrics = SessionKitMetrics.From(services),
            Backlog = services.GetService<SummarizationBacklog>(),
        });
        services.TryAddSingleton<ISessionTokenStore>(static services => services.GetRequiredService<ISessionStore>() as ISessionTokenStore
            ?? throw new InvalidOperationException(
                $"The configured session store ({services.GetRequiredService<ISessionStore>().GetType().FullName}) does not implement {nameof(ISessionTokenStore)}, " +
                $"so session tokens and devices cannot be stored. Use a backend that supports them (UseInMemory(), UseSqlite(...)) or register an {nameof(ISessionTokenStore)}."));
        services.TryAddSingleton(static services => StoreAs<ISessionCorrectionStore>(services, "messages cannot be edited, deleted, rewound or forked"));
        services.TryAddSingleton(static services => StoreAs<ISessionStateStore>(services, "shared state and the change feed are unavailable"));
        services.TryAddSingleton(static services => StoreAs<ISessionLeaseStore>(services, "leases and serialized turns are unavailable"));
        services.TryAddSingleton<ISessionTokenService>(static services => new SessionTokenService(
            services.GetRequiredService<ISessionTokenStore>(),
            services.GetRequiredService<IOptions<SessionKitOptions>>().Value.SessionTokens,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<SessionTokenService>()));
        services.TryAddSingleton<IDeviceRegistry>(static services => new DeviceRegistry(
            services.GetRequiredService<ISessionTokenStore>(),
            services.GetRequiredService<IOptions<SessionKitOptions>>().Value.SessionTokens,
            services.GetService<TimeProvider>()));
        services.TryAddSingleton<ISessionResolver>(static services => new SessionResolver(
            services.GetRequiredService<ISessionStore>(),
            services.GetRequiredService<ISessionTokenService>(),
            services.GetRequiredService<IDeviceRegistry>(),
            services.GetRequiredService<IOptions<SessionKitOptions>>().Value.Resolver,
            services.GetService<TimeProvider>(),
            services.GetRequiredService<SessionExpiryPolicy>(),
            services.GetService<ISessionAccessStore>()));
        services.TryAddSingleton<ISessionAccessStore>(static services => services.GetRequiredService<ISessionStore>() as ISessionAccessStore
            ?? throw new InvalidOperationException(
                $"The configured session store ({services.GetRequiredService<ISessionStore>().GetType().FullName}) does not implement {nameof(ISessionAccessStore)}, " +
                $"so grants cannot be stored. Use a backend that supports them (UseInMemory(), UseSqlite(...)) or register an {nameof(ISessionAccessStore)}."));
        services.TryAddSingleton<ISessionAccessor>(static services =>
        {
            var store = services.GetRequiredService<ISessionStore>();
            var timeProvider = services.GetService<TimeProvider>();
            var contextBuilder = services.GetRequiredService<IContextBuilder>() as ContextBuilder ?? new ContextBuilder(
                store,
                services.GetRequiredService<ITokenCounter>(),
                services.GetRequiredService<ISummarizer>(),
                services.GetRequiredService<IOptions<SessionKitOptions>>().Value.Context,
                timeProvider,
                services.GetService<ILoggerFactory>()?.CreateLogger<ContextBuilder>())
            {
                Metrics = SessionKitMetrics.From(services),
                Backlog = services.GetService<SummarizationBacklog>(),
            };
            return new SessionAccessor(
                store,
                services.GetRequiredService<ISessionAccessStore>(),
                contextBuilder,
                services.GetRequiredService<IDeviceRegistry>(),
                services.GetRequiredService<ISessionTokenService>(),
                timeProvider);
        });
        PrivacyServices.Add(services);

        return new SessionKitBuilder(services);
    }

    /// <summary>Stores sessions in process memory (<see cref="InMemorySessionStore"/>): nothing survives a restart.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseInMemory(this ISessionKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseStore(static context => new InMemorySessionStore(context.Limits, context.TimeProvider, context.TokenCounter, PrivacyServices.MasterKeys(context.Services)));
        return builder;
    }

    /// <summary>
    /// Makes <paramref name="factory"/> the <see cref="ISessionStore"/> (a singleton), replacing a backend chosen earlier.
    /// Backend packages call this from their own <c>Use…</c> methods.
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the store from the services, the validated limits, the clock and the token counter.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseStore<TStore>(this ISessionKitBuilder builder, Func<SessionStoreContext, TStore> factory)
        where TStore : class, ISessionStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);

        builder.Services.Replace(ServiceDescriptor.Singleton<ISessionStore>(services =>
        {
            var store = factory(new SessionStoreContext(
                services,
                services.GetRequiredService<IOptions<SessionKitOptions>>().Value.Limits,
                services.GetService<TimeProvider>() ?? TimeProvider.System,
                services.GetRequiredService<ITokenCounter>()));
            if (store is SessionStore observed)
            {
                observed.Metrics = SessionKitMetrics.From(services);
            }

            EmbeddingServiceCollectionExtensions.Apply(services, store);

            return store;
        }));
        return builder;
    }

    /// <summary>Makes <typeparamref name="TSummarizer"/> the <see cref="ISummarizer"/> (a singleton), replacing the offline default.</summary>
    /// <typeparam name="TSummarizer">The summarizer type, constructed from the container.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseSummarizer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSummarizer>(this ISessionKitBuilder builder)
        where TSummarizer : class, ISummarizer
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISummarizer, TSummarizer>());
        return builder;
    }

    /// <summary>Makes <paramref name="summarizer"/> the <see cref="ISummarizer"/>, replacing the offline default.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="summarizer">The summarizer.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseSummarizer(this ISessionKitBuilder builder, ISummarizer summarizer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(summarizer);
        builder.Services.Replace(ServiceDescriptor.Singleton(summarizer));
        return builder;
    }

    // The store's optional capabilities resolve to the store itself, or fail naming what the configured store lacks.
    private static TFacet StoreAs<TFacet>(IServiceProvider services, string consequence)
        where TFacet : class
    {
        var store = services.GetRequiredService<ISessionStore>();
        return store as TFacet ?? throw new InvalidOperationException(
            $"The configured session store ({store.GetType().FullName}) does not implement {typeof(TFacet).Name}, so {consequence}. " +
            $"Use a backend derived from SessionStore (UseInMemory(), UseSqlite(...)) or register an {typeof(TFacet).Name}.");
    }
}
