using NUnit.Framework;

namespace SessionKit.Testing;

// The stress bar: 8 concurrent writers × 10,000 single-message appends on one session, nothing lost or duplicated.
public abstract partial class SessionStoreConformanceTests
{
    [Test]
    [Category("Stress")]
    [CancelAfter(300_000)]
    public async Task Stress_EightWritersTimesTenThousandAppends_OnOneSession_LoseAndDuplicateNothing()
    {
        const int writers = 8;
        const int perWriter = 10_000;
        var elapsed = await AssertConcurrentWritersLandAsync(writers, perWriter);
        TestContext.Out.WriteLine($"{GetType().Name}: {writers * perWriter} appends by {writers} writers in {elapsed.TotalSeconds:F1} s ({writers * perWriter / elapsed.TotalSeconds:F0}/s)");
    }
}
