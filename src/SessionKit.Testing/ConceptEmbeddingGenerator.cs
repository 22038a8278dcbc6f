using Microsoft.Extensions.AI;
using SessionKit.Storage;

namespace SessionKit.Testing;

/// <summary>
/// A deterministic embedding generator for exact tests: each word of a small vocabulary of synonym groups ("concepts")
/// adds 1 to its concept's dimension, every other non-stop word 0.25 to a dimension chosen by a stable hash. So
/// "How much does a land windmill deliver?" and "Onshore turbines reach a capacity factor of 35 percent" are close
/// although they share no word, and results are the same on every run and machine.
/// </summary>
public sealed class ConceptEmbeddingGenerator(string modelId = "concepts-v1") : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The vector length.</summary>
    public const int Dimensions = 64;

    private static readonly string[][] Concepts =
    [
        ["wind", "windmill", "windmills", "turbine", "turbines"],
        ["output", "capacity", "yield", "deliver", "delivers", "produce", "produces", "power", "generation", "rated", "reach", "achieve"],
        ["land", "onshore", "ground"],
        ["sea", "ocean", "offshore", "marine"],
        ["sun", "solar", "photovoltaic", "panels", "panel"],
        ["cat", "cats", "kitten", "feline"],
        ["dog", "dogs", "puppy", "canine"],
        ["rain", "rainfall", "precipitation", "wet"],
        ["money", "budget", "cost", "price", "expensive", "cheap"],
        ["percent", "factor", "fraction", "share", "much"],
        ["sleep", "sleeps", "nap", "naps", "rest"],
        ["tree", "trees", "forest", "forests", "woodland"],
    ];

    private static readonly Dictionary<string, int> ConceptOf = Concepts
        .SelectMany((words, index) => words.Select(word => (word, index)))
        .ToDictionary(static p => p.word, static p => p.index, StringComparer.Ordinal);

    private readonly EmbeddingGeneratorMetadata _metadata = new("concepts", null, modelId, Dimensions);
    private int _failuresLeft;

    /// <summary>How many texts were embedded so far.</summary>
    public int TextsEmbedded { get; private set; }

    /// <summary>How many calls were made so far (successful or not).</summary>
    public int Calls { get; private set; }

    /// <summary>Makes the next <paramref name="count"/> calls throw, as a model server that is down would.</summary>
    /// <param name="count">How many calls fail.</param>
    public void FailNext(int count) => _failuresLeft = count;

    /// <summary>The vector of one text (not normalized).</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The vector.</returns>
    public static float[] Vector(string text)
    {
        var vector = new float[Dimensions];
        foreach (var word in SearchText.Words(text))
        {
            if (ConceptOf.TryGetValue(word, out int concept))
            {
                vector[concept] += 1;
            }
            else if (!SearchText.IsStopWord(word))
            {
                uint hash = 2166136261;
                foreach (char c in word)
                {
                    hash = (hash ^ c) * 16777619;
                }

                vector[Concepts.Length + (int)(hash % (uint)(Dimensions - Concepts.Length))] += 0.25f;
            }
        }

        if (vector.All(static x => x == 0))
        {
            vector[Dimensions - 1] = 1;
        }

        return vector;
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        cancellationToken.ThrowIfCancellationRequested();
        Calls++;
        if (_failuresLeft > 0)
        {
            _failuresLeft--;
            throw new HttpRequestException("The embedding model is unavailable (simulated).");
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            embeddings.Add(new Embedding<float>(Vector(value)) { ModelId = _metadata.DefaultModelId });
            TextsEmbedded++;
        }

        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
