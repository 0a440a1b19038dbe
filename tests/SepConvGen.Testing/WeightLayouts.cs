namespace SepConvGen.Testing
{
    /// <summary>Converts Keras weight layouts to PyTorch ones, to drive LoadPyTorchWeights with the same layer.</summary>
    public static class WeightLayouts
    {
        /// <summary>Keras (kh, kw, in, dm) to PyTorch (in * dm, 1, kh, kw).</summary>
        public static float[] DepthwiseToPyTorch(LayerConfig c, float[] keras)
        {
            int taps = c.KernelHeight * c.KernelWidth;
            var torch = new float[keras.Length];
            for (int tap = 0; tap < taps; tap++)
            {
                for (int j = 0; j < c.DepthwiseChannels; j++)
                {
                    torch[(j * taps) + tap] = keras[(tap * c.DepthwiseChannels) + j];
                }
            }

            return torch;
        }

        /// <summary>Keras (1, 1, in * dm, out) to PyTorch (out, in * dm, 1, 1).</summary>
        public static float[] PointwiseToPyTorch(LayerConfig c, float[] keras)
        {
            var torch = new float[keras.Length];
            for (int j = 0; j < c.DepthwiseChannels; j++)
            {
                for (int f = 0; f < c.OutChannels; f++)
                {
                    torch[(f * c.DepthwiseChannels) + j] = keras[(j * c.OutChannels) + f];
                }
            }

            return torch;
        }
    }
}
