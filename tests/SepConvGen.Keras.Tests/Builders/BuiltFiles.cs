using System;
using System.IO;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace SepConvGen.Keras.Tests.Builders
{
    /// <summary>
    /// The Keras 3 and tf-keras files the tests read, built once per run in a temporary folder from the real models
    /// (the real weights, the real configurations in Keras 3's form).
    /// </summary>
    public sealed class BuiltFiles : IDisposable
    {
        public const string EegNet = "arl-eegmodels_EEGNet-8-2-weights.h5";
        public const string MiniXception = "face_classification_fer2013_mini_XCEPTION.102-0.66.hdf5";
        public const string TinyXception = "face_classification_tiny_XCEPTION_KDEF.hdf5";

        private readonly string _folder = Path.Combine(Path.GetTempPath(), $"sepconvgen-keras-{Guid.NewGuid():N}");

        public BuiltFiles()
        {
            Directory.CreateDirectory(_folder);
            KerasFileBuilder mini = KerasFileBuilder.FromHdf5(Source(MiniXception));
            KerasFileBuilder eeg = KerasFileBuilder.FromHdf5(Source(EegNet));
            mini.WriteKeras3Archive(RenamedArchive, RenamedInArchive);
            mini.WriteKeras3Archive(DeflatedArchive, compression: CompressionLevel.Optimal);
            mini.WriteKeras3Weights(Keras3Weights);
            eeg.WriteKeras3Archive(SequentialArchive, sequential: true);
            eeg.WriteKeras3Weights(EegNetKeras3Weights);
            eeg.WriteTfKeras214Archive(EegNetTfKerasArchive);
            eeg.Without("SeparableConv2D").WriteKeras3Archive(NoSeparableArchive);
            eeg.WriteKeras3LegacyHdf5(Keras3LegacySequential, sequential: true);
            mini.WriteKeras3LegacyHdf5(Keras3LegacyFunctional, sequential: false);
            KerasFileBuilder.FromHdf5(Source(TinyXception)).WriteTfKeras214Archive(TfKerasArchive);
        }

        /// <summary>mini-XCEPTION as Keras 3 saves it, its config names numbered 5 higher than the weights' keys.</summary>
        public string RenamedArchive => Built("mini-xception-renamed.keras");

        /// <summary>mini-XCEPTION as Keras 3 saves it, with the members deflated.</summary>
        public string DeflatedArchive => Built("mini-xception-deflated.keras");

        /// <summary>mini-XCEPTION's Keras 3 <c>.weights.h5</c>.</summary>
        public string Keras3Weights => Built("mini-xception.weights.h5");

        /// <summary>EEGNet as a Keras 3 Sequential model.</summary>
        public string SequentialArchive => Built("eegnet-sequential.keras");

        public string EegNetKeras3Weights => Built("eegnet.weights.h5");

        public string EegNetTfKerasArchive => Built("eegnet-tf-keras-2.14.keras");

        /// <summary>EEGNet without its SeparableConv2D layer.</summary>
        public string NoSeparableArchive => Built("eegnet-no-separable.keras");

        /// <summary>tiny-XCEPTION as tf-keras 2.14 on Windows saves it (backslashes in the weights' group names).</summary>
        public string TfKerasArchive => Built("tiny-xception-tf-keras-2.14.keras");

        /// <summary>EEGNet saved by Keras 3 as a legacy Sequential <c>.h5</c> (weights one level deeper).</summary>
        public string Keras3LegacySequential => Built("eegnet-keras3-legacy.h5");

        /// <summary>mini-XCEPTION saved by Keras 3 as a legacy Functional <c>.h5</c>.</summary>
        public string Keras3LegacyFunctional => Built("mini-xception-keras3-legacy.h5");

        public static string Source(string file) => Path.Combine(ExpectedLayers.Folder, file);

        /// <summary><c>separable_conv2d_3</c> becomes <c>separable_conv2d_8</c>: what name matching would load wrongly.</summary>
        public static string RenamedInArchive(string name) =>
            Regex.Replace(name, "^separable_conv2d_([0-9]+)$", m => $"separable_conv2d_{int.Parse(m.Groups[1].Value) + 5}");

        public string Built(string name) => Path.Combine(_folder, name);

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
