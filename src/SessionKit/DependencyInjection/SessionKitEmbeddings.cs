using Microsoft.Extensions.AI;

namespace SessionKit;

/// <summary>What <c>UseEmbeddings</c> registered: how to get the generator and the model id to keep vectors under.</summary>
internal sealed record SessionKitEmbeddings(Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> Factory, string? ModelId);
