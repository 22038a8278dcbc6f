using NUnit.Framework;
using SessionKit.Reliability.CrashHost;
using SessionKit.Sqlite;

namespace SessionKit.Reliability.Tests;

/// <summary>
/// Processes that append to a SQLite file are killed with SIGKILL mid-append, again and again; every batch they acknowledged
/// must be in the file once and whole, every batch appears whole or not at all, and sequences stay dense.
/// </summary>
[TestFixture]
[NonParallelizable]
internal sealed class CrashTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private string _folder = "";

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sessionkit-reliability", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still be releasing the file; the temp folder is cleaned by the OS.
        }
    }

    [TestCase(20260101, 12)]
    public async Task KilledMidAppend_Repeatedly_LosesNoAcknowledgedBatch_AndNeverStoresHalfABatch(int seed, int kills)
    {
        using var timeout = new CancellationTokenSource(Limit);
        string file = Path.Combine(_folder, "crash.db");
        var sessionId = await CreateSessionAsync(file);
        var random = new Random(seed);
        var acked = new List<CrashHostProcess.Ack>();
        int nextBatch = 0;
        int batchesPerRun = 400;
        for (int kill = 0; kill < kills; kill++)
        {
            using var host = CrashHostProcess.Start(file, sessionId, "w", nextBatch, batchesPerRun, seed);
            // Kill after a seeded number of acknowledgements, while the host is appending flat out.
            await host.WaitForAcksAsync(random.Next(1, 25), timeout.Token);
            await host.KillAsync(timeout.Token);
            Assert.That(host.Done, Is.False, "the host was killed mid-run, not after its last batch");
            acked.AddRange(host.Acks);
            nextBatch += batchesPerRun;
        }

        // One last writer runs to the end on the file the killed ones left, to show it is usable as it is.
        using (var last = CrashHostProcess.Start(file, sessionId, "w", nextBatch, 5, seed))
        {
            await last.WaitForExitAsync(timeout.Token);
            acked.AddRange(last.Acks);
        }

        var messages = await AssertIntactAsync(file, sessionId, acked, seed);
        int stored = messages.Select(m => m.Content.Split(' ')[0]).Count(c => c.EndsWith("/0/" + c.Split('/')[3], StringComparison.Ordinal));
        await TestContext.Out.WriteLineAsync($"{kills} kills: {acked.Count} acknowledged batches, {stored} stored ({stored - acked.Count} committed but killed before acknowledging), {messages.Count} messages");
    }

    [TestCase(20260102, 4, 60)]
    public async Task SeveralProcesses_AppendingToOneFile_LoseAndDuplicateNothing_AndKeepSequencesDense(int seed, int writers, int batches)
    {
        using var timeout = new CancellationTokenSource(Limit);
        string file = Path.Combine(_folder, "shared.db");
        var sessionId = await CreateSessionAsync(file);
        var hosts = Enumerable.Range(0, writers).Select(i => CrashHostProcess.Start(file, sessionId, $"p{i}", 0, batches, seed)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => h.WaitForExitAsync(timeout.Token)));
            var acked = hosts.SelectMany(h => h.Acks).ToList();
            Assert.That(acked, Has.Count.EqualTo(writers * batches), "every writer acknowledged every batch");
            var messages = await AssertIntactAsync(file, sessionId, acked, seed);
            Assert.That(messages, Has.Count.EqualTo(acked.Sum(a => a.Size)), "nothing but the acknowledged batches");
        }
        finally
        {
            hosts.ForEach(h => h.Dispose());
        }
    }

    private static async Task<Guid> CreateSessionAsync(string file)
    {
        await using var store = new SqliteSessionStore($"Data Source={file}");
        return (await store.CreateSessionAsync("crash-test")).Id;
    }

    // Reads the whole session and checks: sequences 1..n dense, each batch whole and contiguous at most once, acknowledged ones
    // present at the sequences the host was told.
    private static async Task<List<SessionMessage>> AssertIntactAsync(string file, Guid sessionId, List<CrashHostProcess.Ack> acked, int seed)
    {
        await using var store = new SqliteSessionStore($"Data Source={file}");
        var messages = new List<SessionMessage>();
        await foreach (var message in store.ReadAllMessagesAsync(sessionId))
        {
            messages.Add(message);
        }

        var session = await store.GetSessionAsync(sessionId);
        Assert.That(messages.Select(m => m.Sequence), Is.EqualTo(Enumerable.Range(1, messages.Count).Select(i => (long)i)), "sequences are dense");
        Assert.That(session.LastSequence, Is.EqualTo(messages.Count));
        Assert.That(session.MessageCount, Is.EqualTo(messages.Count));

        var seen = new HashSet<(string Writer, int Batch)>();
        for (int i = 0; i < messages.Count;)
        {
            var (writer, batch, index, size) = Parse(messages[i].Content);
            Assert.That(index, Is.Zero, $"message {messages[i].Sequence} starts a batch");
            Assert.That(size, Is.EqualTo(CrashBatch.Size(writer, batch, seed)));
            Assert.That(seen.Add((writer, batch)), Is.True, $"batch {writer}/{batch} is stored once");
            for (int j = 0; j < size; j++)
            {
                Assert.That(i + j, Is.LessThan(messages.Count), $"batch {writer}/{batch} is whole");
                Assert.That(messages[i + j].Content, Is.EqualTo(CrashBatch.Content(writer, batch, j, size)), $"batch {writer}/{batch} is whole and in order");
            }

            i += size;
        }

        foreach (var ack in acked)
        {
            Assert.That(seen, Does.Contain((ack.Writer, ack.Batch)), $"acknowledged batch {ack.Writer}/{ack.Batch} survived");
            var first = messages[(int)ack.FirstSequence - 1];
            Assert.That(first.Content, Is.EqualTo(CrashBatch.Content(ack.Writer, ack.Batch, 0, ack.Size)), "at the sequences acknowledged");
            Assert.That(ack.LastSequence - ack.FirstSequence + 1, Is.EqualTo(ack.Size));
        }

        return messages;
    }

    private static (string Writer, int Batch, int Index, int Size) Parse(string content)
    {
        string[] parts = content.Split(' ')[0].Split('/');
        return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
    }
}
