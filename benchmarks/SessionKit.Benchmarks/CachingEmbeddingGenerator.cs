using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace SessionKit.Benchmarks;

/// <summary>
/// Remembers the vector of every text it embedded, so a text the quality benchmark stores twice (the same filler in the
/// word-matching and the paraphrased copy of a conversation) costs the model once. Vectors are the inner generator's,
/// unchanged: a deterministic model gives the same vector for the same text, cached or not.
/// </summary>
public sealed class CachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly ConcurrentDictionary<string, float[]> _vectors = new(StringComparer.Ordinal);

    /// <summary>How many texts went to the inner generator.</summary>
    public int Misses { get; private set; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        var missing = texts.Where(t => !_vectors.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            var generated = await inner.GenerateAsync(missing, options, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < missing.Count; i++)
            {
                _vectors[missing[i]] = generated[i].Vector.ToArray();
            }

            Misses += missing.Count;
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in texts)
        {
            result.Add(new Embedding<float>(_vectors[text]));
        }

        return result;
    }

    /// <summary>Adds the vectors a previous run saved with <see cref="Save"/> (a missing file adds nothing).</summary>
    /// <param name="path">The cache file.</param>
    public void Load(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var reader = new BinaryReader(File.OpenRead(path));
        int count = reader.ReadInt32();
        for (int i = 0; i < count; i++)
        {
            string text = reader.ReadString();
            var vector = new float[reader.ReadInt32()];
            for (int d = 0; d < vector.Length; d++)
            {
                vector[d] = reader.ReadSingle();
            }

            _vectors[text] = vector;
        }
    }

    /// <summary>Writes every vector known to <paramref name="path"/>, so the next run skips the model for these texts.</summary>
    /// <param name="path">The cache file.</param>
    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(_vectors.Count);
        foreach (var (text, vector) in _vectors)
        {
            writer.Write(text);
            writer.Write(vector.Length);
            foreach (float x in vector)
            {
                writer.Write(x);
            }
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
