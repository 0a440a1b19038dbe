// sepconvgen: see 'sepconvgen --help'.
return SepConvGen.Tool.Cli.Run(args, System.Console.Out, System.Console.Error);
