using NUnit.Framework;

namespace SessionKit.Samples.Tests;

/// <summary>The samples tell their stories end to end, offline, on a fresh SQLite file.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SampleTests
{
    private string _folder = string.Empty;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sessionkit-samples-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is the sample's business; the temp folder is cleaned eventually.
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
    public async Task MultiDevice_ContinuesOnTheLaptop_AndRefusesTheRevokedPhoneToken()
    {
        var (exitCode, output) = await SampleRun.RunAsync("MultiDevice", _folder, "story.db");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Not.Contain("FAILED"));
            Assert.That(output, Does.Contain("ContinuedOnNewDevice"));
            Assert.That(output, Does.Contain("token valid: False"));
            Assert.That(output, Does.Contain("SessionAccessDeniedException"));
            Assert.That(output, Does.Contain("Every step behaved as expected."));
        }
    }

    [Test]
    public async Task MultiAgent_ShowsAuthorsRevisionsAndSharedState()
    {
        var (exitCode, output) = await SampleRun.RunAsync("MultiAgent", _folder);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("by researcher (revision 2)"));
            Assert.That(output, Does.Contain("revision 1, replaced by researcher"));
            Assert.That(output, Does.Contain("by writer"));
            Assert.That(output, Does.Contain("findings = corrected (version 2, by researcher)"));
        }
    }
}
