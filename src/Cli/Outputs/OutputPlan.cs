using ZilOnnx.Converter.IO;

namespace ZilOnnx.Cli.Outputs;

/// <summary>
/// The files one command reads and writes, checked together before it does any work (docs/cli.md, "Output files"),
/// so that a run never trains for minutes and then fails to save, and never destroys what a user owns:
/// <list type="bullet">
/// <item>an output that exists must be a regular file: a named pipe, a device, a socket or a symbolic link is refused
/// (writing would replace it, or, for a link, replace the link and leave its target), and so is a folder;</item>
/// <item>its folder must exist and take a new file (proved by creating and removing one, as the writer will);</item>
/// <item>no output may be a file the command reads (the model, a data file, a file inside a data folder) or another
/// output, by the kernel's view of the paths: through `..`, symbolic links and hard links;</item>
/// <item>each output is locked for the run (<see cref="OutputLock"/>): a second run writing it refuses at its start;</item>
/// <item>the temporary files a killed writer left next to an output are removed.</item>
/// </list>
/// Every refusal is an <see cref="IOException"/> (exit code 2) whose message starts with the option and the path.
/// Disposing releases the locks.
/// </summary>
public sealed class OutputPlan : IDisposable
{
    /// <param name="Role">"the input model", or the data option: --data, --val-data.</param>
    private sealed record Input(string Role, string Path, IReadOnlyCollection<string> MayBeReplacedBy);

    private sealed record Output(string Option, string Path, bool Appends)
    {
        public PathStatus Status { get; set; }
        /// <summary>The path with its folder resolved by the kernel (links, `..`).</summary>
        public string RealPath { get; set; } = "";
    }

    private readonly List<Input> _inputs = [];
    private readonly List<Output> _outputs = [];
    private readonly List<OutputLock> _locks = [];

    /// <summary>The model the command reads.</summary>
    /// <param name="mayBeReplacedBy">Outputs allowed to replace it (-o with --force; a resumed checkpoint's own --checkpoint).</param>
    public OutputPlan ReadsModel(string path, params string[] mayBeReplacedBy)
    {
        _inputs.Add(new Input("the input model", path, mayBeReplacedBy));
        return this;
    }

    /// <summary>A data file or folder the command reads, named by <paramref name="option"/> (--data, --val-data).</summary>
    public OutputPlan ReadsData(string option, string path)
    {
        _inputs.Add(new Input(option, path, []));
        return this;
    }

    /// <summary>A file the command writes, replaced atomically, or with <paramref name="appends"/> added to line by line.</summary>
    /// <param name="option">The option (or argument) that names it, as messages name it: "-o", "--metrics", "OUT".</param>
    public OutputPlan Writes(string option, string path, bool appends = false)
    {
        _outputs.Add(new Output(option, path, appends));
        return this;
    }

    /// <summary>Checks every output, then locks them and removes stale temporary files; throws at the first refusal.</summary>
    public OutputPlan Prepare()
    {
        foreach (var output in _outputs) CheckKindAndFolder(output);
        foreach (var output in _outputs) CheckNotAnInput(output);
        for (int i = 0; i < _outputs.Count; i++)
            for (int j = 0; j < i; j++)
                if (AreSame(_outputs[j], _outputs[i]))
                    throw new IOException($"{_outputs[i].Option} {_outputs[i].Path} and {_outputs[j].Option} {_outputs[j].Path} are the " +
                        $"same file: one would replace the other; give each its own path");
        foreach (var output in _outputs) Named(output, () => CheckWritable(output));
        try
        {
            foreach (var output in _outputs)
            {
                _locks.Add(Named(output, () => OutputLock.Take(output.Path)));
                AtomicFile.RemoveStaleTemporaries(output.Path);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        return this;
    }

    private static void CheckKindAndFolder(Output output)
    {
        string name = Path.GetFileName(output.Path);
        if (name is "" or "." or "..") throw Refusal(output, "names a folder; give the path of a file to write");
        output.Status = PathStatus.Of(output.Path, followLinks: false);
        switch (output.Status.Kind)
        {
            case PathKind.Missing or PathKind.RegularFile:
                break;
            case PathKind.Directory:
                throw Refusal(output, "is a folder; give the path of a file to write");
            case PathKind.SymbolicLink:
                throw Refusal(output,
                    $"is a symbolic link (to {new FileInfo(output.Path).LinkTarget}): writing would replace the link, not its target; " +
                                      "name the target itself or another path");
            default:
                throw Refusal(output,
                    $"is {PathStatus.Describe(output.Status.Kind)}, not a regular file: writing would replace it; name a regular file");
        }
        string folder = AtomicFile.FolderOf(output.Path);
        var folderStatus = PathStatus.Of(folder, followLinks: true);
        if (!folderStatus.Exists) throw Refusal(output, $"the folder {folder} does not exist");
        if (folderStatus.Kind != PathKind.Directory) throw Refusal(output, $"{folder} is not a folder");
        output.RealPath = Path.Combine(PathStatus.RealPath(folder) ?? Path.GetFullPath(folder), name);
    }

    private void CheckNotAnInput(Output output)
    {
        foreach (var input in _inputs)
        {
            if (input.MayBeReplacedBy.Contains(output.Option)) continue;
            var status = PathStatus.Of(input.Path, followLinks: true);
            if (!status.Exists) continue;
            string real = PathStatus.RealPath(input.Path) ?? Path.GetFullPath(input.Path);
            if (status.Kind != PathKind.Directory)
            {
                string what = input.Role.StartsWith('-') ? $"the {input.Role} file" : input.Role;
                if (output.Status.IsSameFileAs(status) || output.RealPath == real)
                    throw new IOException($"{output.Option} {output.Path} is {what} {input.Path}: writing it would replace that file; " +
                        $"give another path");
            }
            else if (output.Status.Exists && (output.RealPath.StartsWith(real.TrimEnd('/') + "/", StringComparison.Ordinal)
                || IsLinkedInto(output.Status, real)))
            {
                throw new IOException($"{output.Option} {output.Path} is a file in the {input.Role} folder {input.Path}: writing it " +
                    $"would replace that file; give another path");
            }
        }
    }

    /// <summary>A file with more than one name may be a hard link to a file inside the folder: only then are its files compared.</summary>
    private static bool IsLinkedInto(PathStatus file, string folder)
    {
        if (file.LinkCount < 2) return false;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        return Directory.EnumerateFiles(folder, "*", options).Any(f => PathStatus.Of(f, followLinks: false).IsSameFileAs(file));
    }

    private static bool AreSame(Output a, Output b) => a.Status.IsSameFileAs(b.Status) || a.RealPath == b.RealPath;

    /// <summary>The folder takes a new file; a file added to line by line must also open for writing as it is.</summary>
    private static void CheckWritable(Output output)
    {
        AtomicFile.CheckWritable(output.Path);
        if (output.Appends && output.Status.Exists)
            using (new FileStream(output.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) { }
    }

    /// <summary>Runs a check whose failures name the path; their messages are prefixed with the option.</summary>
    private static T Named<T>(Output output, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{output.Option} {WithPath(output, e.Message)}", e);
        }
        catch (IOException e)
        {
            throw new IOException($"{output.Option} {WithPath(output, e.Message)}", e);
        }
    }

    private static void Named(Output output, Action check) => Named(output, () => { check(); return 0; });

    /// <summary>The writers' messages start with the path; .NET's own ones are given it.</summary>
    private static string WithPath(Output output, string message) => message.StartsWith(output.Path + ":",
        StringComparison.Ordinal) ? message : $"{output.Path}: {message}";

    private static IOException Refusal(Output output, string why) => new($"{output.Option} {output.Path}: {why}");

    public void Dispose()
    {
        foreach (var held in _locks) held.Dispose();
        _locks.Clear();
    }
}
