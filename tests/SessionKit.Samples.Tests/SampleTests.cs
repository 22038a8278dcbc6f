using NUnit.Framework;

namespace SessionKit.Samples.Tests;

/// <summary>The samples tell their stories end to end, offline, on a fresh SQLite file.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SampleTests
{
    private const string ForeignText = "my notes, not a database";

    private string _folder = string.Empty;

    private string TempFolder => SampleRun.TempFolderOf(_folder);

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sessionkit-samples-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder()
    {
        foreach (string folder in new[] { _folder, TempFolder })
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
                // A file still held open is the sample's business; the temp folder is cleaned eventually.
            }
        }
    }

    [Test]
    public async Task ResearchAssistant_RecognisesTheUserOnTheLaptop_AndAnswersFromTheWindow()
    {
        var (exitCode, output) = await SampleRun.RunAsync("ResearchAssistant", _folder);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("Resolver: a user with no sessions yet"));
            Assert.That(output, Does.Contain("Signed in on the laptop. Resolver: the same user on a new device, within the inactivity window, so the session continues"));
            Assert.That(output, Does.Contain("What did you say about the carbon cycle?"));
            Assert.That(output, Does.Contain("Two days ago I said: “The carbon cycle is the process by which carbon moves"));
            Assert.That(File.Exists(Path.Combine(_folder, "research-assistant.db")), Is.True, "the default store is an SQLite file in the working directory");
        }
    }

    [Test]
    public async Task ResearchAssistant_Semantic_AnswersAQuestionAskedInOtherWords_Offline()
    {
        var (exitCode, output) = await SampleRun.RunAsync("ResearchAssistant", _folder, "--semantic");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("By how many degrees has our world heated up?"));
            Assert.That(output, Does.Contain("embedded with all-MiniLM-L6-v2, locally"));
            Assert.That(output, Does.Contain("Two days ago I said: “Global surface temperature in 2011-2020 was about 1.1 °C above the 1850-1900"));
        }
    }

    [Test]
    public async Task ResearchAssistant_AfterALongGap_StartsALinkedSession_ThatStillRecallsTheAnswer()
    {
        var (exitCode, output) = await SampleRun.RunAsync("ResearchAssistant", _folder, "--days-later", "10");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("the inactivity window has passed, so a new session linked to"));
            Assert.That(output, Does.Contain("Ten days ago I said: “The carbon cycle is the process by which carbon moves"));
        }
    }

    [Test]
    public async Task ResearchAssistant_RunTwiceThenReset_StartsTheStoryOverOnItsOwnDatabase()
    {
        await SampleRun.RunAsync("ResearchAssistant", _folder);
        var (exitCode, output) = await SampleRun.RunAsync("ResearchAssistant", _folder, "--reset");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("--reset: deleted"));
            Assert.That(output, Does.Contain("Resolver: a user with no sessions yet"));
        }
    }

    [TestCase("ResearchAssistant")]
    [TestCase("MultiDevice")]
    [TestCase("MultiAgent")]
    public async Task Help_PrintsUsage_ExitsZero_AndTouchesNoFile(string sample)
    {
        var (exitCode, output) = await SampleRun.RunAsync(sample, _folder, "--help");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("Usage: dotnet run --project samples/" + sample));
            Assert.That(FilesIn(_folder), Is.Empty, "--help creates no file in the working folder");
            Assert.That(FilesIn(TempFolder), Is.Empty, "--help creates no temp file");
        }
    }

    [TestCase("ResearchAssistant", "--bogus")]
    [TestCase("ResearchAssistant", "--budget", "lots")]
    [TestCase("ResearchAssistant", "--db")]
    [TestCase("ResearchAssistant", "stray.db")]
    [TestCase("MultiDevice", "--bogus")]
    [TestCase("MultiDevice", "--db")]
    [TestCase("MultiDevice", "stray.db")]
    [TestCase("MultiAgent", "--bogus")]
    [TestCase("MultiAgent", "--db")]
    [TestCase("MultiAgent", "stray.db")]
    public async Task BadArguments_ExitNonZero_WithTheProblemAndUsage_AndTouchNoFile(string sample, params string[] args)
    {
        var (exitCode, output) = await SampleRun.RunAsync(sample, _folder, args);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain(args[0]), "the message names the argument");
            Assert.That(output, Does.Contain("Usage:"));
            Assert.That(FilesIn(_folder), Is.Empty);
            Assert.That(FilesIn(TempFolder), Is.Empty);
        }
    }

    [TestCase("ResearchAssistant", "--db")]
    [TestCase("ResearchAssistant", "--reset", "--db")]
    [TestCase("MultiDevice", "--db")]
    [TestCase("MultiAgent", "--db")]
    public async Task AnExistingFileThatIsNotASessionKitDatabase_IsRefused_AndLeftAsItWas(string sample, params string[] args)
    {
        string notes = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(notes, ForeignText);

        var (exitCode, output) = await SampleRun.RunAsync(sample, _folder, [.. args, notes]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain(notes));
            Assert.That(await File.ReadAllTextAsync(notes), Is.EqualTo(ForeignText), "the file is neither deleted nor overwritten");
            Assert.That(FilesIn(_folder), Is.EqualTo(new[] { notes }), "no database or companion file was created beside it");
        }
    }

    [TestCase("ResearchAssistant")]
    [TestCase("MultiAgent")]
    public async Task AnEmptyExistingFile_IsRefused_AndLeftAsItWas(string sample)
    {
        string empty = Path.Combine(_folder, "empty.db");
        await File.WriteAllBytesAsync(empty, []);

        var (exitCode, output) = await SampleRun.RunAsync(sample, _folder, "--db", empty);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(new FileInfo(empty).Length, Is.Zero, "SQLite would have written a database into the empty file");
        }
    }

    [Test]
    public async Task MultiDevice_ContinuesOnTheLaptop_AndRefusesTheRevokedPhoneToken()
    {
        var (exitCode, output) = await SampleRun.RunAsync("MultiDevice", _folder);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Not.Contain("FAILED"));
            Assert.That(output, Does.Contain("ContinuedOnNewDevice"));
            Assert.That(output, Does.Contain("token valid: False"));
            Assert.That(output, Does.Contain("SessionAccessDeniedException"));
            Assert.That(output, Does.Contain("Every step behaved as expected."));
            Assert.That(FilesIn(_folder), Is.Empty, "by default the story runs on a temp file");
            Assert.That(FilesIn(TempFolder), Is.Empty, "the temp database is deleted at the end");
        }
    }

    [Test]
    public async Task MultiDevice_WithANewDbPath_KeepsTheDatabase_AndRefusesItOnTheNextRun()
    {
        var (exitCode, output) = await SampleRun.RunAsync("MultiDevice", _folder, "--db", "story.db");
        var (secondExitCode, secondOutput) = await SampleRun.RunAsync("MultiDevice", _folder, "--db", "story.db");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("Every step behaved as expected."));
            Assert.That(File.Exists(Path.Combine(_folder, "story.db")), Is.True);
            Assert.That(secondExitCode, Is.EqualTo(2), secondOutput);
            Assert.That(secondOutput, Does.Contain("already exists"));
        }
    }

    [Test]
    public async Task MultiAgent_ShowsAuthorsRevisionsAndSharedState_AndEndsOnTheCorrectedDraft()
    {
        var (exitCode, output) = await SampleRun.RunAsync("MultiAgent", _folder);
        string finalDraft = output.Split('\n').Single(line => line.StartsWith("Final draft", StringComparison.Ordinal));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("by researcher (revision 2)"));
            Assert.That(output, Does.Contain("revision 1, replaced by researcher"));
            Assert.That(output, Does.Contain("by writer"));
            Assert.That(output, Does.Contain("findings = corrected (version 2, by researcher)"));
            Assert.That(output, Does.Contain("status = final (version 2, by writer)"));
            Assert.That(finalDraft, Does.Contain("30%").And.Not.Contain("10%"), "the story ends on the corrected finding");
            Assert.That(FilesIn(_folder), Is.Empty);
            Assert.That(FilesIn(TempFolder), Is.Empty, "the temp database and its WAL files are deleted at the end");
        }
    }

    [Test]
    public async Task MultiAgent_WithAnExistingSessionKitDatabase_AddsASession_AndKeepsTheFile()
    {
        var (firstExitCode, firstOutput) = await SampleRun.RunAsync("MultiAgent", _folder, "--db", "agents.db");
        var (exitCode, output) = await SampleRun.RunAsync("MultiAgent", _folder, "--db", "agents.db");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(firstExitCode, Is.Zero, firstOutput);
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(File.Exists(Path.Combine(_folder, "agents.db")), Is.True);
        }
    }

    private static string[] FilesIn(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
}
