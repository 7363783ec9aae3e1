namespace Gateway.Client.Tail.Tests;

/// <summary>A file in the temp folder, deleted on dispose.</summary>
internal sealed class TemporaryFile : IDisposable
{
    private TemporaryFile(string path) => Path = path;

    public string Path { get; }

    public static TemporaryFile With(string content)
    {
        var file = new TemporaryFile(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gateway-tail-{Guid.NewGuid():N}.txt"));
        File.WriteAllText(file.Path, content);
        return file;
    }

    public void Dispose() => File.Delete(Path);
}
