using System.Diagnostics;
using Npgsql;
using NUnit.Framework;

namespace SessionKit.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server every test of this assembly uses, and one throwaway database on it for this run.
/// </summary>
/// <remarks>
/// <para>The server comes from <c>SESSIONKIT_POSTGRES</c> (an Npgsql connection string; <c>.ci/run</c> starts a throwaway
/// cluster and sets it, with <c>SESSIONKIT_POSTGRES_DATA</c> naming its data folder). Without it, the assembly starts its
/// own throwaway cluster with <c>.ci/postgres</c> when PostgreSQL's server binaries are installed, and stops it at the end.</para>
/// <para>When neither works: in CI (<c>CI</c> set) or with <c>SESSIONKIT_POSTGRES_REQUIRED=1</c> every test fails; on a
/// developer machine every test is ignored with a message saying how to provide a server. Never a silent skip in CI.</para>
/// </remarks>
[SetUpFixture]
public sealed class PostgresServer
{
    private static string? _connectionString;
    private static string? _dataDirectory;
    private static string? _ownCluster;
    private static string? _unavailable;
    private static int _schemas;
    private static NpgsqlDataSource? _dataSource;

    /// <summary>The connection string of this run's database.</summary>
    public static string ConnectionString => _connectionString ?? throw Unavailable();

    /// <summary>The cluster's data folder (<c>SESSIONKIT_POSTGRES_DATA</c>), or <see langword="null"/> when the server is not local.</summary>
    public static string? DataDirectory => _dataDirectory;

    /// <summary>
    /// An empty schema for one store under test: a schema emptied after an earlier test when there is one (migrating a new
    /// schema costs far more than emptying one), otherwise a new name. It is emptied and reused after the current test.
    /// </summary>
    public static string NewSchema() => SchemaPool.Take(() => $"t{Interlocked.Increment(ref _schemas)}");

    /// <summary>A schema name never used before in this run and never reused (for tests of a schema's first creation).</summary>
    public static string UniqueSchema() => $"u{Interlocked.Increment(ref _schemas)}";

    /// <summary>One data source for every store under test (stores do not dispose a data source they are given), so physical connections are reused.</summary>
    public static Npgsql.NpgsqlDataSource DataSource => _dataSource ?? throw Unavailable();

    /// <summary>Options for a store in an empty schema of this run's database.</summary>
    public static PostgreSqlSessionStoreOptions Options(string? schema = null) => new()
    {
        DataSource = DataSource,
        Schema = schema ?? NewSchema(),
    };

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        string? server = Environment.GetEnvironmentVariable("SESSIONKIT_POSTGRES");
        _dataDirectory = Environment.GetEnvironmentVariable("SESSIONKIT_POSTGRES_DATA");
        if (string.IsNullOrWhiteSpace(server))
        {
            (server, _dataDirectory, _unavailable) = StartOwnCluster();
        }

        if (server is null)
        {
            bool required = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) || Environment.GetEnvironmentVariable("SESSIONKIT_POSTGRES_REQUIRED") == "1";
            string message = "No PostgreSQL server for the SessionKit.PostgreSql tests: " + _unavailable +
                " Set SESSIONKIT_POSTGRES to an Npgsql connection string (a user allowed to CREATE DATABASE), or install PostgreSQL " +
                "(apt-get install postgresql) so the tests start a throwaway cluster, or run `eval \"$(bash .ci/postgres start)\"` first.";
            if (required)
            {
                Assert.Fail(message);
            }

            Assert.Ignore(message);
        }

        string database = "sessionkit_tests_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database};", admin);
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database, MaxPoolSize = 40 }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        AdminConnectionString = server;
    }

    /// <summary>The server's own connection string (its default database), for tests that create databases.</summary>
    public static string AdminConnectionString { get; private set; } = string.Empty;

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        if (_connectionString is not null)
        {
            var builder = new NpgsqlConnectionStringBuilder(_connectionString);
            await using var admin = new NpgsqlConnection(AdminConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {builder.Database} WITH (FORCE);", admin) { CommandTimeout = 600 };
            await drop.ExecuteNonQueryAsync();
        }

        if (_ownCluster is not null)
        {
            RunScript("stop", _ownCluster);
        }
    }

    private static (string? Server, string? Data, string? Why) StartOwnCluster()
    {
        string? script = FindScript();
        if (script is null)
        {
            return (null, null, "SESSIONKIT_POSTGRES is not set and .ci/postgres was not found above the test assembly.");
        }

        var (exit, output, error) = RunScript("start", null, script);
        if (exit != 0)
        {
            return (null, null, $"SESSIONKIT_POSTGRES is not set and .ci/postgres could not start a cluster ({error.Trim()}).");
        }

        string? server = null;
        string? data = null;
        foreach (string line in output.Split('\n'))
        {
            if (line.StartsWith("export SESSIONKIT_POSTGRES='", StringComparison.Ordinal))
            {
                server = line["export SESSIONKIT_POSTGRES='".Length..].TrimEnd('\'');
            }
            else if (line.StartsWith("export SESSIONKIT_POSTGRES_DATA='", StringComparison.Ordinal))
            {
                data = line["export SESSIONKIT_POSTGRES_DATA='".Length..].TrimEnd('\'');
            }
        }

        _ownCluster = data;
        return (server, data, server is null ? "the .ci/postgres script printed no connection string." : null);
    }

    private static string? FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, ".ci", "postgres");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static (int Exit, string Output, string Error) RunScript(string verb, string? argument, string? script = null)
    {
        script ??= FindScript()!;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(verb);
        if (argument is not null)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    private static InvalidOperationException Unavailable() => new("The PostgreSQL server is not available: " + _unavailable);
}
