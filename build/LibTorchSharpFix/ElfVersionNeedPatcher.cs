// Marks one symbol-version need of an ELF shared object as weak, so that the dynamic loader accepts a system
// library that lacks that version (docs/development.md, "The libLibTorchSharp fix").
//
// This one file is compiled twice: by MSBuild's RoslynCodeTaskFactory (Directory.Build.targets), which takes a
// single source file, and by the test project, which links it to test the ELF logic. The MSBuild task at the
// end is therefore guarded by #if: RoslynCodeTaskFactory compiles without preprocessor symbols, while every SDK
// project defines NETCOREAPP and sees only the ELF logic (the tests do not reference MSBuild).
//
// The code targets what RoslynCodeTaskFactory compiles against (netstandard 2.0): byte arrays, no spans.

#nullable enable

namespace ZilOnnx.Build
{
    using System;
    using System.Collections.Generic;
    using System.Diagnostics;
    using System.IO;
    using System.Text;

    /// <summary>One section header of an ELF file: the fields this code needs.</summary>
    internal readonly struct ElfSection
    {
        public ElfSection(uint type, long offset, long size, int link, int info)
        {
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
        }

        public uint Type { get; }
        public long Offset { get; }
        public long Size { get; }
        /// <summary>sh_link: for version sections, the index of the string table that holds their names.</summary>
        public int Link { get; }
        /// <summary>sh_info: for version sections, the number of entries.</summary>
        public int Info { get; }
    }

    /// <summary>
    /// A read-only view of an ELF64 little-endian image (the only kind TorchSharp ships for linux-x64):
    /// its section headers and the strings they point to. Layouts follow the System V gABI, elf(5).
    /// </summary>
    internal sealed class ElfImage
    {
        private readonly byte[] _bytes;

        public ElfImage(byte[] bytes)
        {
            _bytes = bytes;
            // e_ident: magic, EI_CLASS (2 = ELFCLASS64), EI_DATA (1 = ELFDATA2LSB).
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (bytes[4] != 2 || bytes[5] != 1)
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            Sections = ReadSectionHeaders();
        }

        public IReadOnlyList<ElfSection> Sections { get; }

        public ushort ReadUInt16(long offset)
        {
            CheckRange(offset, 2);
            return (ushort)(_bytes[offset] | _bytes[offset + 1] << 8);
        }

        public uint ReadUInt32(long offset)
        {
            CheckRange(offset, 4);
            return (uint)(_bytes[offset] | _bytes[offset + 1] << 8 | _bytes[offset + 2] << 16 | _bytes[offset + 3] << 24);
        }

        /// <summary>A u64 file offset or size; reads that use it are range-checked then.</summary>
        public long ReadUInt64(long offset)
        {
            ulong value = ReadUInt32(offset) | (ulong)ReadUInt32(offset + 4) << 32;
            if (value > long.MaxValue)
                throw new InvalidDataException($"value {value} at {offset} is not a plausible offset or size");
            return (long)value;
        }

        /// <summary>The section at <paramref name="index"/>, e.g. the string table a sh_link names.</summary>
        public ElfSection SectionAt(int index)
        {
            if (index < 0 || index >= Sections.Count)
                throw new InvalidDataException($"section index {index} is out of range");
            return Sections[index];
        }

        /// <summary>The NUL-terminated string at <paramref name="nameOffset"/> in the string table section.</summary>
        public string ReadString(ElfSection stringTable, uint nameOffset)
        {
            long start = stringTable.Offset + nameOffset;
            long end = start;
            while (end < stringTable.Offset + stringTable.Size && end < _bytes.Length && _bytes[end] != 0)
                end++;
            CheckRange(start, end - start);
            return Encoding.ASCII.GetString(_bytes, (int)start, (int)(end - start));
        }

        private List<ElfSection> ReadSectionHeaders()
        {
            long headersOffset = ReadUInt64(0x28); // e_shoff
            int headerSize = ReadUInt16(0x3A);     // e_shentsize
            int count = ReadUInt16(0x3C);          // e_shnum
            var sections = new List<ElfSection>();
            if (headersOffset == 0)
                return sections;                   // stripped of section headers: nothing to find
            if (headerSize < 64)
                throw new InvalidDataException($"section header size {headerSize} is too small for ELF64");
            if (count == 0)
                count = checked((int)ReadUInt64(headersOffset + 32)); // more than 0xff00 sections: count is in section 0's sh_size

            for (int i = 0; i < count; i++)
            {
                long header = headersOffset + (long)i * headerSize;
                sections.Add(new ElfSection(
                    type: ReadUInt32(header + 4),
                    offset: ReadUInt64(header + 24),
                    size: ReadUInt64(header + 32),
                    link: (int)ReadUInt32(header + 40),
                    info: (int)ReadUInt32(header + 44)));
            }
            return sections;
        }

        private void CheckRange(long offset, long length)
        {
            if (offset < 0 || length < 0 || offset + length > _bytes.Length)
                throw new InvalidDataException($"read of {length} bytes at {offset} lies outside the file");
        }
    }

    /// <summary>One Elf64_Vernaux entry: a version the object needs from a library, and where its flags are.</summary>
    internal readonly struct VersionNeed
    {
        public VersionNeed(string library, string version, ushort flags, long flagsOffset)
        {
            Library = library;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        public string Library { get; }
        public string Version { get; }
        public ushort Flags { get; }
        /// <summary>File offset of vna_flags (two bytes, little-endian).</summary>
        public long FlagsOffset { get; }
    }

    internal enum WeakMarkResult
    {
        /// <summary>The flag was set now.</summary>
        Marked,
        /// <summary>The need was already weak: nothing changed.</summary>
        AlreadyWeak,
        /// <summary>The object does not need that version: nothing changed.</summary>
        NotNeeded,
    }

    /// <summary>Reads the version tables of an ELF64 image and marks a version need weak.</summary>
    internal static class ElfVersionNeedPatcher
    {
        public const uint ShtGnuVerdef = 0x6ffffffd;  // .gnu.version_d: versions this object defines
        public const uint ShtGnuVerneed = 0x6ffffffe; // .gnu.version_r: versions this object needs
        /// <summary>VER_FLG_WEAK: the loader accepts a library that lacks the version instead of refusing it.</summary>
        public const ushort VerFlagWeak = 2;

        /// <summary>Every Verneed/Vernaux pair of the image, in file order.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] bytes)
        {
            var image = new ElfImage(bytes);
            var needs = new List<VersionNeed>();
            foreach (ElfSection section in image.Sections)
            {
                if (section.Type != ShtGnuVerneed)
                    continue;
                ElfSection strings = image.SectionAt(section.Link);
                long verneed = section.Offset;
                for (int i = 0; i < section.Info; i++)
                {
                    // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                    int auxCount = image.ReadUInt16(verneed + 2);
                    string library = image.ReadString(strings, image.ReadUInt32(verneed + 4));
                    long vernaux = verneed + image.ReadUInt32(verneed + 8);
                    for (int j = 0; j < auxCount; j++)
                    {
                        // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                        string version = image.ReadString(strings, image.ReadUInt32(vernaux + 8));
                        needs.Add(new VersionNeed(library, version, image.ReadUInt16(vernaux + 4), vernaux + 4));
                        vernaux += image.ReadUInt32(vernaux + 12);
                    }
                    verneed += image.ReadUInt32(verneed + 12);
                }
            }
            return needs;
        }

        /// <summary>The version names the image defines (its own Verdef entries), e.g. GLIBCXX_3.4.30.</summary>
        public static List<string> ReadVersionDefinitions(byte[] bytes)
        {
            var image = new ElfImage(bytes);
            var names = new List<string>();
            foreach (ElfSection section in image.Sections)
            {
                if (section.Type != ShtGnuVerdef)
                    continue;
                ElfSection strings = image.SectionAt(section.Link);
                long verdef = section.Offset;
                for (int i = 0; i < section.Info; i++)
                {
                    // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32,
                    // vd_aux u32, vd_next u32. The first Verdaux (vda_name u32, vda_next u32) names the version.
                    long verdaux = verdef + image.ReadUInt32(verdef + 12);
                    names.Add(image.ReadString(strings, image.ReadUInt32(verdaux)));
                    verdef += image.ReadUInt32(verdef + 16);
                }
            }
            return names;
        }

        /// <summary>
        /// Whether the library defines <paramref name="version"/>. Reads its Verdef entries; a library without
        /// section headers (or not ELF64) is searched for the NUL-terminated name instead.
        /// </summary>
        public static bool DefinesVersion(byte[] library, string version)
        {
            try
            {
                List<string> defined = ReadVersionDefinitions(library);
                if (defined.Count > 0)
                    return defined.Contains(version);
            }
            catch (InvalidDataException)
            {
            }
            return ContainsBytes(library, Encoding.ASCII.GetBytes(version + "\0"));
        }

        /// <summary>Sets VER_FLG_WEAK on every need of <paramref name="version"/> in the image, in memory.</summary>
        public static WeakMarkResult MarkWeak(byte[] bytes, string version)
        {
            var result = WeakMarkResult.NotNeeded;
            foreach (VersionNeed need in ReadVersionNeeds(bytes))
            {
                if (need.Version != version)
                    continue;
                if ((need.Flags & VerFlagWeak) != 0)
                {
                    if (result == WeakMarkResult.NotNeeded)
                        result = WeakMarkResult.AlreadyWeak;
                    continue;
                }
                bytes[need.FlagsOffset] = (byte)(bytes[need.FlagsOffset] | VerFlagWeak); // the low byte of a little-endian u16
                result = WeakMarkResult.Marked;
            }
            return result;
        }

        /// <summary>
        /// Marks the need weak in the file. The patched copy replaces the file by rename, so that a hard link into
        /// the NuGet cache is never written through, and it keeps the original timestamp, so that MSBuild's
        /// incremental copy (same size and time = unchanged) does not copy the unpatched file over it again.
        /// </summary>
        public static WeakMarkResult MarkWeakInFile(string path, string version)
        {
            byte[] bytes = File.ReadAllBytes(path);
            WeakMarkResult result = MarkWeak(bytes, version);
            if (result != WeakMarkResult.Marked)
                return result;

            DateTime lastWrite = File.GetLastWriteTimeUtc(path);
            string temporary = path + ".patching";
            File.Copy(path, temporary, overwrite: true); // keeps the file mode
            File.WriteAllBytes(temporary, bytes);
            File.SetLastWriteTimeUtc(temporary, lastWrite);
            File.Delete(path);
            File.Move(temporary, path);
            return result;
        }

        private static bool ContainsBytes(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j])
                    j++;
                if (j == needle.Length)
                    return true;
            }
            return false;
        }
    }

    /// <summary>Finds the libstdc++ the dynamic loader gives a process on this machine.</summary>
    internal static class SystemLibstdcxx
    {
        private const string Soname = "libstdc++.so.6";

        private static readonly string[] UsualDirectories =
        {
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
        };

        /// <summary>The path of the system libstdc++.so.6, or null when none is found.</summary>
        public static string? FindPath()
        {
            // The loader's cache is the authority on which file a process gets; the usual directories cover a
            // machine where ldconfig is not on PATH or cannot be run.
            string? fromCache = FindInLoaderCache();
            if (fromCache != null)
                return fromCache;
            foreach (string directory in UsualDirectories)
            {
                string candidate = Path.Combine(directory, Soname);
                if (File.Exists(candidate))
                    return candidate;
            }
            return null;
        }

        private static string? FindInLoaderCache()
        {
            foreach (string ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig" })
            {
                string? output = TryRun(ldconfig, "-p");
                if (output == null)
                    continue;
                // Lines read "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6".
                foreach (string line in output.Split('\n'))
                {
                    string trimmed = line.Trim();
                    int arrow = trimmed.IndexOf(" => ", StringComparison.Ordinal);
                    if (arrow > 0 && trimmed.StartsWith(Soname + " ", StringComparison.Ordinal) && trimmed.Contains("x86-64"))
                        return trimmed.Substring(arrow + 4);
                }
                return null;
            }
            return null;
        }

        private static string? TryRun(string fileName, string arguments)
        {
            try
            {
                var start = new ProcessStartInfo(fileName, arguments)
                {
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                using (Process? process = Process.Start(start))
                {
                    if (process == null)
                        return null;
                    string output = process.StandardOutput.ReadToEnd();
                    process.WaitForExit();
                    return process.ExitCode == 0 ? output : null;
                }
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                return null; // not installed here
            }
        }
    }

#if !NETCOREAPP
    /// <summary>
    /// MSBuild task: marks the given libLibTorchSharp.so copies' need of <see cref="Version"/> weak, when the
    /// system libstdc++ lacks that version. Never fails the build: a file it cannot patch is reported, not fatal.
    /// </summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = new Microsoft.Build.Framework.ITaskItem[0];

        /// <summary>The symbol version the system may lack, e.g. GLIBCXX_3.4.32.</summary>
        [Microsoft.Build.Framework.Required]
        public string Version { get; set; } = "";

        /// <summary>
        /// Patch even where this machine's libstdc++ defines the version: for files that will run on other
        /// machines (a tool package).
        /// </summary>
        public bool Always { get; set; }

        public override bool Execute()
        {
            if (Files.Length == 0 || !System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux))
                return true;
            if (!Always && SystemProvides(Version))
                return true;
            string reason = Always ? "for machines whose libstdc++ lacks that version" : "the system libstdc++ lacks that version";

            foreach (Microsoft.Build.Framework.ITaskItem file in Files)
            {
                string path = file.GetMetadata("FullPath");
                try
                {
                    if (ElfVersionNeedPatcher.MarkWeakInFile(path, Version) == WeakMarkResult.Marked)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            $"Marked the {Version} need of {path} weak ({reason}).");
                }
                catch (Exception e) // whatever went wrong, the build itself is fine: say so and go on
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"Could not mark the {Version} need of {path} weak: {e.Message}. TorchSharp may fail to load.");
                }
            }
            return true;
        }

        private static bool SystemProvides(string version)
        {
            string? library = SystemLibstdcxx.FindPath();
            if (library == null)
                return false; // unknown: patch, since a weak need is harmless where the version exists
            try
            {
                return ElfVersionNeedPatcher.DefinesVersion(File.ReadAllBytes(library), version);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
#endif
}
