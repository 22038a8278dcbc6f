using System.Globalization;
using SessionKit.Reliability.CrashHost;
using SessionKit.Sqlite;

// Usage: CrashHost <database file> <session id> <writer> <first batch> <batch count> <seed>
// Appends batches "writer/batch" of 1–8 messages each to the session, one append per batch, and after each append returns
// prints "ACK <writer> <batch> <size> <first sequence> <last sequence>" and flushes, so the parent knows it is durable.
// Batch sizes come from the seed, so the parent can recompute them. Prints "DONE" after the last batch.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: CrashHost <database file> <session id> <writer> <first batch> <batch count> <seed>");
    return 2;
}

string file = args[0];
var sessionId = Guid.Parse(args[1]);
string writer = args[2];
int first = int.Parse(args[3], CultureInfo.InvariantCulture);
int count = int.Parse(args[4], CultureInfo.InvariantCulture);
int seed = int.Parse(args[5], CultureInfo.InvariantCulture);

await using var store = new SqliteSessionStore(
    new SqliteSessionStoreOptions { ConnectionString = $"Data Source={file}", BusyTimeout = TimeSpan.FromSeconds(30) },
    tokenCounter: new CharacterTokenCounter());
using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
stdout.WriteLine("READY");
for (int batch = first; batch < first + count; batch++)
{
    var messages = CrashBatch.Messages(writer, batch, seed);
    var result = await store.AppendMessagesAsync(sessionId, messages);
    stdout.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"ACK {writer} {batch} {messages.Count} {result.Messages[0].Sequence} {result.Messages[^1].Sequence}"));
}

stdout.WriteLine("DONE");
return 0;
