using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace SessionKit.Reliability.Tests;

/// <summary>One running crash host: the batches it acknowledged, read from its stdout as they arrive.</summary>
internal sealed class CrashHostProcess : IDisposable
{
    private static readonly string HostPath = Assembly.Load("SessionKit.Reliability.CrashHost").Location;

    private readonly Process _process;
    private readonly List<Ack> _acks = [];
    private readonly Task _reader;
    private readonly Task<string> _errors;
    private readonly SemaphoreSlim _ackArrived = new(0);
    private bool _ended;

    private CrashHostProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAsync);
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The acknowledged batches so far.</summary>
    public IReadOnlyList<Ack> Acks
    {
        get
        {
            lock (_acks)
            {
                return _acks.ToArray();
            }
        }
    }

    public bool Done { get; private set; }

    public static CrashHostProcess Start(string file, Guid sessionId, string writer, int firstBatch, int batchCount, int seed)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "exec", HostPath, file, sessionId.ToString(), writer, Str(firstBatch), Str(batchCount), Str(seed) })
        {
            start.ArgumentList.Add(arg);
        }

        return new CrashHostProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash host."));
    }

    /// <summary>Waits until at least <paramref name="count"/> batches are acknowledged or the host ends.</summary>
    public async Task WaitForAcksAsync(int count, CancellationToken cancellationToken)
    {
        while (Acks.Count < count && !Volatile.Read(ref _ended))
        {
            await _ackArrived.WaitAsync(cancellationToken);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to finish its transaction or flush anything.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        await _process.WaitForExitAsync(cancellationToken);
        await _reader;
    }

    /// <summary>Waits for a normal exit and fails with the host's stderr if it did not succeed.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        await _reader;
        if (_process.ExitCode != 0 || !Done)
        {
            throw new InvalidOperationException($"The crash host exited with {_process.ExitCode}: {await _errors}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _ackArrived.Dispose();
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task ReadAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                string[] parts = line.Split(' ');
                if (parts[0] == "ACK" && parts.Length == 6)
                {
                    var ack = new Ack(parts[1], Parse(parts[2]), Parse(parts[3]), long.Parse(parts[4], CultureInfo.InvariantCulture), long.Parse(parts[5], CultureInfo.InvariantCulture));
                    lock (_acks)
                    {
                        _acks.Add(ack);
                    }
                }
                else if (line == "DONE")
                {
                    Done = true;
                }

                _ackArrived.Release();
            }
        }
        finally
        {
            Volatile.Write(ref _ended, true);
            _ackArrived.Release();
        }
    }

    private static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>A batch the host saw committed.</summary>
    internal sealed record Ack(string Writer, int Batch, int Size, long FirstSequence, long LastSequence);
}
