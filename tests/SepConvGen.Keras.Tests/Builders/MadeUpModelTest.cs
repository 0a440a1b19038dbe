using System;
using System.IO;
using SepConvGen.Testing;
using Xunit.Abstractions;

namespace SepConvGen.Keras.Tests.Builders
{
    /// <summary>
    /// A test that makes up Keras models: a temporary folder for their files (deleted afterwards) and this run's seed,
    /// printed so that SEPCONVGEN_SEED can repeat the run.
    /// </summary>
    public abstract class MadeUpModelTest : IDisposable
    {
        protected MadeUpModelTest(ITestOutputHelper output)
        {
            Folder = Path.Combine(Path.GetTempPath(), $"sepconvgen-{GetType().Name}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Folder);
            Seed = RandomLayers.RunSeed();
            output.WriteLine($"SEPCONVGEN_SEED={Seed}");
        }

        protected string Folder { get; }

        protected int Seed { get; }

        public void Dispose()
        {
            Directory.Delete(Folder, recursive: true);
            GC.SuppressFinalize(this);
        }
    }
}
