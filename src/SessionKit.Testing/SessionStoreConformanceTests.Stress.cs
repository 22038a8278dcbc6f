using NUnit.Framework;

namespace SessionKit.Testing;

// The stress bar: 8 concurrent writers × 10,000 single-message appends on one session, nothing lost or duplicated
// (a backend whose every append is a server round trip may lower the count per writer, see StressAppendsPerWriter).
public abstract partial class SessionStoreConformanceTests
{
    /// <summary>
    /// The size of the suite's long concurrency races: how many single-message appends each of the stress test's 8
    /// concurrent writers makes, 10,000 (80,000 in all); the listing-while-appending race lists a twentieth as many times
    /// (500). What the races prove (dense sequences, each writer's order, nothing lost or duplicated, no session listed
    /// twice while writers contend) holds at any size that keeps them overlapping; a backend whose every call is a server
    /// round trip may lower it to keep its suite fast (the PostgreSQL suite uses 2,000 and proves the many-server case separately).
    /// </summary>
    protected virtual int StressAppendsPerWriter => 10_000;

    [Test]
    [Category("Stress")]
    [CancelAfter(300_000)]
    public async Task Stress_EightWritersManyAppendsEach_OnOneSession_LoseAndDuplicateNothing()
    {
        const int writers = 8;
        int perWriter = StressAppendsPerWriter;
        var elapsed = await AssertConcurrentWritersLandAsync(writers, perWriter);
        TestContext.Out.WriteLine($"{GetType().Name}: {writers * perWriter} appends by {writers} writers in {elapsed.TotalSeconds:F1} s ({writers * perWriter / elapsed.TotalSeconds:F0}/s)");
    }
}
