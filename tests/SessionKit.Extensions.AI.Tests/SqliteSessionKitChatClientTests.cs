using NUnit.Framework;
using SessionKit.Sqlite;

namespace SessionKit.Extensions.AI.Tests;

/// <summary>The middleware against a real SQLite database file per test.</summary>
[TestFixture]
public sealed class SqliteSessionKitChatClientTests : SessionKitChatClientTests
{
    private string _folder = null!;
    private int _files;

    [OneTimeSetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sessionkit-ai-tests", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [OneTimeTearDown]
    public void DeleteFolder()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A store left open by a failed test keeps the file busy on some platforms; the temp folder is cleaned by the OS.
        }
    }

    protected override ISessionStore CreateStore(TimeProvider timeProvider) =>
        new SqliteSessionStore(new SqliteSessionStoreOptions { ConnectionString = $"Data Source={Path.Combine(_folder, $"db-{Interlocked.Increment(ref _files)}.db")}" }, null, timeProvider, null, Counter);
}
