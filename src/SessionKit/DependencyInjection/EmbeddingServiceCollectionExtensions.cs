using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using SessionKit;
using SessionKit.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Recall by meaning: <c>AddSessionKit(...).UseEmbeddings(...)</c>.</summary>
public static class EmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Gives the store an embedding generator: messages and summaries get vectors from a background indexer (register
    /// <see cref="EmbeddingIndexer"/>'s hosted service with SessionKit.Hosting's <c>AddSessionKitEmbeddingIndexer()</c>,
    /// or call <see cref="EmbeddingIndexer.DrainAsync"/>), semantic and hybrid search become available, and the context
    /// builder's recall turns hybrid. Appends never wait for the generator.
    /// </summary>
    /// <param name="builder">The builder from <c>AddSessionKit</c>.</param>
    /// <param name="generator">Any Microsoft.Extensions.AI embedding generator.</param>
    /// <param name="modelId">The id vectors are kept under; <see langword="null"/> for the generator's default model id.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseEmbeddings(this ISessionKitBuilder builder, IEmbeddingGenerator<string, Embedding<float>> generator, string? modelId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(generator);
        return Register(builder, _ => generator, modelId);
    }

    /// <summary>Gives the store an embedding generator, under the generator's default model id (see the overload with a model id).</summary>
    /// <param name="builder">The builder from <c>AddSessionKit</c>.</param>
    /// <param name="generator">Any Microsoft.Extensions.AI embedding generator.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseEmbeddings(this ISessionKitBuilder builder, IEmbeddingGenerator<string, Embedding<float>> generator) =>
        UseEmbeddings(builder, generator, null);

    /// <summary>Gives the store an embedding generator made by <paramref name="factory"/> when the store is first resolved, under the generator's default model id.</summary>
    /// <param name="builder">The builder from <c>AddSessionKit</c>.</param>
    /// <param name="factory">Makes the generator from the container.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseEmbeddings(this ISessionKitBuilder builder, Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> factory) =>
        UseEmbeddings(builder, factory, null);

    /// <summary>Gives the store an embedding generator made by <paramref name="factory"/> when the store is first resolved (see the other overload).</summary>
    /// <param name="builder">The builder from <c>AddSessionKit</c>.</param>
    /// <param name="factory">Makes the generator from the container.</param>
    /// <param name="modelId">The id vectors are kept under; <see langword="null"/> for the generator's default model id.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseEmbeddings(this ISessionKitBuilder builder, Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> factory, string? modelId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        return Register(builder, factory, modelId);
    }

    /// <summary>Gives the store the <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> registered in the container, under its default model id (see the other overloads).</summary>
    /// <param name="builder">The builder from <c>AddSessionKit</c>.</param>
    /// <returns>The builder.</returns>
    public static ISessionKitBuilder UseEmbeddings(this ISessionKitBuilder builder)
    {
        const string? modelId = null;
        ArgumentNullException.ThrowIfNull(builder);
        return Register(builder, static services => services.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? throw new InvalidOperationException(
            "UseEmbeddings() found no IEmbeddingGenerator<string, Embedding<float>> in the container: register one, or pass the generator or a factory to UseEmbeddings."), modelId);
    }

    private static ISessionKitBuilder Register(ISessionKitBuilder builder, Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> factory, string? modelId)
    {
        if (modelId is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        }

        builder.Services.Replace(ServiceDescriptor.Singleton(new SessionKitEmbeddings(factory, modelId)));
        builder.Services.TryAddSingleton(static services => new EmbeddingIndexer(
            services.GetRequiredService<ISessionStore>() as SessionStore ?? throw new InvalidOperationException(
                $"Embeddings need a store derived from SessionStore (UseInMemory(), UseSqlite(...)); the configured one is {services.GetRequiredService<ISessionStore>().GetType().FullName}."),
            EmbeddingIndexer.DefaultBatchSize,
            services.GetService<ILoggerFactory>()?.CreateLogger<EmbeddingIndexer>()));
        return builder;
    }

    /// <summary>Applies a registered generator to a store the container just made.</summary>
    internal static void Apply(IServiceProvider services, ISessionStore store)
    {
        if (services.GetService<SessionKitEmbeddings>() is not { } embeddings)
        {
            return;
        }

        var target = store as SessionStore ?? throw new InvalidOperationException(
            $"Embeddings need a store derived from SessionStore (UseInMemory(), UseSqlite(...)); the configured one is {store.GetType().FullName}.");
        target.UseEmbeddings(embeddings.Factory(services), embeddings.ModelId);
    }
}
