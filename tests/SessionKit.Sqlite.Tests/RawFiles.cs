using System.Text;

namespace SessionKit.Sqlite.Tests;

/// <summary>Scans a database's raw files (the database, its WAL and its shared-memory file) for strings.</summary>
internal static class RawFiles
{
    /// <summary>Where each needle occurs, as UTF-8 or UTF-16, in <paramref name="databasePath"/>, <c>-wal</c> and <c>-shm</c>.</summary>
    public static List<string> Find(string databasePath, IEnumerable<string> needles)
    {
        var found = new List<string>();
        var list = needles.ToList();
        foreach (var path in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" })
        {
            if (!File.Exists(path))
            {
                continue;
            }

            byte[] bytes;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var memory = new MemoryStream())
            {
                stream.CopyTo(memory);
                bytes = memory.ToArray();
            }

            foreach (var needle in list)
            {
                foreach (var (encoding, pattern) in new[] { ("UTF-8", Encoding.UTF8.GetBytes(needle)), ("UTF-16", Encoding.Unicode.GetBytes(needle)) })
                {
                    if (bytes.AsSpan().IndexOf(pattern) >= 0)
                    {
                        found.Add($"{Path.GetFileName(path)}: '{needle}' ({encoding})");
                    }
                }
            }
        }

        return found;
    }
}
