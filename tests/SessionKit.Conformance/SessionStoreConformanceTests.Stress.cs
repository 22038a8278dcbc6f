using System.Diagnostics;
using NUnit.Framework;

namespace SessionKit.Conformance;

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
        var session = await CreateSessionAsync();

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < perWriter; i++)
            {
                await Store.AppendMessagesAsync(session.Id, [NewMessage.User($"w{w}:{i}")]);
            }
        })));
        clock.Stop();

        var messages = await ReadAllAsync(session.Id);
        var found = await Store.GetSessionAsync(session.Id);
        TestContext.Out.WriteLine($"{GetType().Name}: {writers * perWriter} appends by {writers} writers in {clock.Elapsed.TotalSeconds:F1} s ({writers * perWriter / clock.Elapsed.TotalSeconds:F0}/s)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(messages, Has.Count.EqualTo(writers * perWriter));
            Assert.That(Sequences(messages), Is.EqualTo(Range(1, writers * perWriter)));
            Assert.That(messages.Select(m => m.Content).Distinct().Count(), Is.EqualTo(writers * perWriter));
            Assert.That(found.LastSequence, Is.EqualTo(writers * perWriter));
            Assert.That(found.Version, Is.EqualTo(1 + (writers * perWriter)));
            for (int w = 0; w < writers; w++)
            {
                string prefix = $"w{w}:";
                var own = messages.Where(m => m.Content.StartsWith(prefix, StringComparison.Ordinal))
                    .Select(m => int.Parse(m.Content.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture));
                Assert.That(own, Is.EqualTo(Enumerable.Range(0, perWriter)), $"writer {w}'s messages in its own order");
            }
        }
    }
}
