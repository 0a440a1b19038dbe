using System;
using System.Collections.Generic;
using System.Linq;
using SepConvGen.Testing;

namespace SepConvGen.Numerics.Tests
{
    /// <summary>
    /// Compiles, once per test run, one run-time sized and one fixed-size layer for every golden case
    /// (a single in-memory compilation through the generator), and the same in checked mode (DEBUG builds).
    /// </summary>
    public sealed class GoldenLayers
    {
        private readonly IReadOnlyDictionary<string, Func<ITestLayer>> _factories;
        private readonly IReadOnlyDictionary<string, Func<ITestLayer>> _checkedFactories;

        public GoldenLayers()
        {
            var layers = new List<(string, LayerConfig)>();
            foreach ((GoldenCase c, int i) in GoldenCases.SeparableConv2D().Concat(GoldenCases.KerasJs()).Select((c, i) => (c, i)))
            {
                layers.Add(($"Dynamic{i}", c.Config));
                layers.Add(($"Fixed{i}", c.Config.WithFixedInput(c.InputHeight, c.InputWidth)));
                _index[c.Name] = i;
            }

            _factories = LayerCompiler.Compile(layers);
            _checkedFactories = LayerCompiler.Compile(layers, checkedMode: true);
        }

        private readonly Dictionary<string, int> _index = new();

        public ITestLayer Dynamic(GoldenCase c, bool checkedMode = false) => Factories(checkedMode)[$"Dynamic{_index[c.Name]}"]();

        public ITestLayer Fixed(GoldenCase c, bool checkedMode = false) => Factories(checkedMode)[$"Fixed{_index[c.Name]}"]();

        private IReadOnlyDictionary<string, Func<ITestLayer>> Factories(bool checkedMode) => checkedMode ? _checkedFactories : _factories;
    }
}
