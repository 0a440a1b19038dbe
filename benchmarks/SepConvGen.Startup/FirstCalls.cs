using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace SepConvGen.Benchmarks
{
    /// <summary>What `startup` measures in a fresh process, printed as one line for the parent to read.</summary>
    public static class FirstCalls
    {
        private const int Calls = 100;

        /// <summary>
        /// Times calls 1-100, then the steady state (after a second of calls, the median of 200), and prints
        /// "result first-call mean-of-calls-2-50 sum-of-calls-1-100 steady load", in milliseconds.
        /// </summary>
        public static void Measure(Action call, double loadMs)
        {
            var times = new double[Calls];
            for (int i = 0; i < Calls; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                call();
                times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < 1)
            {
                call();
            }

            var steady = new double[200];
            for (int i = 0; i < steady.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                call();
                steady[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            Array.Sort(steady);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"result {times[0]} {times.Skip(1).Take(49).Average()} {times.Sum()} {steady[steady.Length / 2]} {loadMs}"));
        }
    }
}
