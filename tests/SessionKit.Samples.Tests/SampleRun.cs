using System.Diagnostics;
using System.Reflection;

namespace SessionKit.Samples.Tests;

/// <summary>
/// Runs a sample's built assembly with <c>dotnet exec</c> in a working folder and captures what it prints. The sample's temp
/// folder (TMPDIR) is <see cref="TempFolderOf"/> the working folder, so a test can see every temp file it leaves behind.
/// </summary>
internal static class SampleRun
{
    public static string TempFolderOf(string workingDirectory) => workingDirectory + ".tmp";

    public static async Task<(int ExitCode, string Output)> RunAsync(string assemblyName, string workingDirectory, params string[] args)
    {
        string tempDirectory = TempFolderOf(workingDirectory);
        string path = Assembly.Load(assemblyName).Location;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Directory.CreateDirectory(tempDirectory);
        start.Environment["TMPDIR"] = tempDirectory;
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(path);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {assemblyName}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
