using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>Both append cases store one message each call, with and without an embedding generator configured.</summary>
public sealed class EmbeddingAppendBenchmarksTests
{
    [Test]
    public async Task BothAppends_StoreOneMessageEach()
    {
        var benchmarks = new EmbeddingAppendBenchmarks();
        await benchmarks.SetupAsync();
        try
        {
            var plain = await benchmarks.AppendWithoutEmbeddings();
            var embedded = await benchmarks.AppendWithEmbeddings();
            var again = await benchmarks.AppendWithEmbeddings();

            Assert.That(plain.Messages, Has.Count.EqualTo(1));
            Assert.That(embedded.Messages, Has.Count.EqualTo(1));
            Assert.That(again.Messages[0].Sequence, Is.EqualTo(embedded.Messages[0].Sequence + 1));
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }
}
