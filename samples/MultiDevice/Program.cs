// Multi-device continuation, offline on an SQLite file: Sam starts a conversation on a phone, continues it on a laptop with
// the same context, signs the phone out from the laptop, and the phone's old token is refused. The file is recreated on
// every run so the story is the same each time. Exit code 0 means every step behaved as the story says.
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MultiDevice;
using SessionKit;

string databasePath = args.Length > 0 ? args[0] : "multi-device.db";
foreach (string suffix in new[] { "", "-wal", "-shm" })
{
    File.Delete(databasePath + suffix);
}

var clock = new StoryClock();
await using var services = new ServiceCollection()
    .AddSingleton<TimeProvider>(clock)
    .AddSessionKit(o =>
    {
        o.Resolver.InactivityWindow = TimeSpan.FromHours(12);
        // Device fingerprints are kept only as HMACs under this key. A real app loads it from its secret store; a key in
        // source code would let anyone who reads it test guesses against stored fingerprints.
        o.SessionTokens.FingerprintKeyBase64 = "c2Vzc2lvbmtpdC1tdWx0aS1kZXZpY2Utc2FtcGxlLWtleS0wMQ==";
    })
    .UseSqlite(new SqliteConnectionStringBuilder { DataSource = databasePath }.ConnectionString)
    .Services
    .BuildServiceProvider();

var story = new MultiDeviceStory(
    services.GetRequiredService<ISessionResolver>(),
    services.GetRequiredService<ISessionAccessor>(),
    services.GetRequiredService<ISessionTokenService>(),
    clock,
    Console.Out);
Console.WriteLine($"SessionKit multi-device sample (offline, SQLite file {Path.GetFullPath(databasePath)})");
Console.WriteLine();
bool ok = await story.RunAsync();
Console.WriteLine(ok ? "Every step behaved as expected." : "A step did not behave as expected (see above).");
return ok ? 0 : 1;
