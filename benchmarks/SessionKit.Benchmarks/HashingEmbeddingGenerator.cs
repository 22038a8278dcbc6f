using Microsoft.Extensions.AI;
using SessionKit.Storage;

namespace SessionKit.Benchmarks;

/// <summary>
/// A cheap, deterministic stand-in for a sentence-embedding model with a real model's shape (384 dimensions): each word
/// adds a fixed pseudo-random unit vector seeded by its hash. Search latency depends on the number and size of vectors,
/// not on what they mean, so the latency benchmark uses it to stay fast and reproducible; quality is measured with the
/// real model (<see cref="ParaphraseBenchmark"/>).
/// </summary>
public sealed class HashingEmbeddingGenerator(int dimensions = 384, string modelId = "hashing-384") : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new("hashing", null, modelId, dimensions);

    /// <summary>The vector of one text.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>A vector of the configured dimensions.</returns>
    public float[] Vector(string text)
    {
        var vector = new float[dimensions];
        foreach (var word in SearchText.Words(text))
        {
            uint state = 2166136261;
            foreach (char c in word)
            {
                state = (state ^ c) * 16777619;
            }

            for (int i = 0; i < dimensions; i++)
            {
                // xorshift: a reproducible sequence per word, values in [-1, 1).
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                vector[i] += (state / (float)uint.MaxValue * 2) - 1;
            }
        }

        vector[0] += 1e-3f;
        return vector;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            result.Add(new Embedding<float>(Vector(value)));
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
