namespace SepConvGen.Keras
{
    /// <summary>Which kind of Keras file <see cref="KerasWeights.Open"/> found.</summary>
    public enum KerasFileFormat
    {
        /// <summary>An HDF5 model, <c>model.save('m.h5')</c> in Keras 2 (or Keras 3's legacy format): configuration and weights.</summary>
        Hdf5Model,

        /// <summary>A Keras 2 HDF5 weights file, <c>model.save_weights('w.h5')</c>: weights by layer name, no configuration.</summary>
        Hdf5Weights,

        /// <summary>A <c>.keras</c> archive (Keras 3, or tf-keras 2.13+): configuration and weights.</summary>
        KerasArchive,

        /// <summary>A Keras 3 weights file, <c>model.save_weights('m.weights.h5')</c>: weights by Keras' class-based names, no configuration.</summary>
        Keras3Weights,
    }

    /// <summary>A layer of a Keras file: its name and, where the file holds the configuration, its class.</summary>
    /// <param name="Name">The layer's name (in weights-only Keras 3 files, the name its weights are stored under).</param>
    /// <param name="ClassName">The Keras class, e.g. <c>Conv2D</c>; null where the file holds no configuration.</param>
    public sealed record KerasLayerSummary(string Name, string? ClassName)
    {
        /// <summary><c>conv2d_1 (Conv2D)</c>, or the bare name without a class.</summary>
        public override string ToString() => ClassName is null ? Name : $"{Name} ({ClassName})";
    }
}
