using System.Runtime.CompilerServices;

namespace SepConvGen.Kernels
{
    /// <summary>
    /// A convolution's shape over a zero-padded copy of its input: the same layer with no padding, its input just as
    /// large as its windows reach. Every output pixel's window then lies inside the input, so all of them run in the
    /// pixel blocks, where a layer with padding computes its border pixels one by one.
    /// </summary>
    /// <typeparam name="TShape">The layer's own constants.</typeparam>
    /// <remarks>Every member is inlined on purpose: the kernels fold them into constants, as they do the generated shapes' literals.</remarks>
    internal readonly struct ZeroPaddedShape<TShape> : IConvolutionShape
        where TShape : struct, IConvolutionShape
    {
        public int InputHeight
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ((default(TShape).OutputHeight - 1) * StrideHeight) + ((KernelHeight - 1) * DilationHeight) + 1;
        }

        public int InputWidth
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => ((default(TShape).OutputWidth - 1) * StrideWidth) + ((KernelWidth - 1) * DilationWidth) + 1;
        }

        public int PadTop
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 0;
        }

        public int PadLeft
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => 0;
        }

        public int StrideHeight
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).StrideHeight;
        }

        public int StrideWidth
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).StrideWidth;
        }

        public int OutputHeight
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).OutputHeight;
        }

        public int OutputWidth
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).OutputWidth;
        }

        public bool ChannelsFirst
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).ChannelsFirst;
        }

        public bool Depthwise
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).Depthwise;
        }

        public int InChannels
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).InChannels;
        }

        public int OutChannels
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).OutChannels;
        }

        public int DepthMultiplier
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).DepthMultiplier;
        }

        public int KernelHeight
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).KernelHeight;
        }

        public int KernelWidth
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).KernelWidth;
        }

        public int DilationHeight
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).DilationHeight;
        }

        public int DilationWidth
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).DilationWidth;
        }

        public Activation Activation
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => default(TShape).Activation;
        }
    }
}
