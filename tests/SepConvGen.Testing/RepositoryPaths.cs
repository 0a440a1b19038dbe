using System;
using System.IO;

namespace SepConvGen.Testing
{
    /// <summary>
    /// Locates the repository from the running test assembly. <c>[CallerFilePath]</c> can't be used for this:
    /// CI builds set ContinuousIntegrationBuild, which maps source paths to <c>/_/</c>.
    /// </summary>
    public static class RepositoryPaths
    {
        private const string SolutionFile = "SepConvGen.sln";

        private static readonly Lazy<string> root = new Lazy<string>(FindRoot);

        /// <summary>The folder holding <c>SepConvGen.sln</c>.</summary>
        public static string Root => root.Value;

        /// <summary>A path below the repository root.</summary>
        public static string Combine(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

        private static string FindRoot()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
                {
                    return folder.FullName;
                }
            }

            throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}.");
        }
    }
}
