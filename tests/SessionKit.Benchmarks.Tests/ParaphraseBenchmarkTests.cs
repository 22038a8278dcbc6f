using NUnit.Framework;

namespace SessionKit.Benchmarks.Tests;

/// <summary>
/// A smoke run of the paraphrase benchmark with the cheap hashing generator (the real model runs in the benchmark itself):
/// every paraphrase of each set (the tuned one and the held-out one) shares no content word with its answer, and every case
/// and budget is counted.
/// </summary>
public sealed class ParaphraseBenchmarkTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task SmokeRun_CountsEveryCase_AtBothBudgets_ForBothKindsOfQuestion(bool heldOut)
    {
        var cases = heldOut ? ParaphraseSet.HeldOut : ParaphraseSet.Cases;
        var results = await new ParaphraseBenchmark(new HashingEmbeddingGenerator(), fillerMessages: 60).RunAsync(cases);
        string table = ParaphraseBenchmark.Format(results, "hashing-384");

        Assert.That(results.Select(r => (r.Paraphrased, r.Budget)), Is.EqualTo(new[] { (false, 1_000), (false, 2_000), (true, 1_000), (true, 2_000) }));
        Assert.That(results, Has.All.Matches<ParaphraseResult>(r => r.Cases == cases.Count && r.Lexical <= r.Cases && r.Hybrid <= r.Cases && r.Truncation <= r.Cases));
        Assert.That(results.Where(r => !r.Paraphrased).Sum(r => r.Lexical), Is.GreaterThan(0), "questions with the answer's words are recalled lexically");
        Assert.That(table, Does.Contain("| in other words | 2,000 |"));
    }
}
