using Onnx;

namespace SepConvGen.Ort
{
    /// <summary>The pieces of an ONNX graph built in code.</summary>
    internal static class OnnxProto
    {
        public static NodeProto Node(string op, string[] inputs, string output)
        {
            var node = new NodeProto { OpType = op, Name = output + "_" + op };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            return node;
        }

        public static AttributeProto Ints(string name, params long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(values);
            return attribute;
        }

        public static TensorProto Tensor(string name, float[] values, params long[] shape)
        {
            var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.Dims.AddRange(shape.Length == 0 ? new long[] { values.Length } : shape);
            tensor.FloatData.AddRange(values);
            return tensor;
        }

        public static ValueInfoProto TensorInfo(string name, params long[] shape)
        {
            var tensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
            foreach (long dimension in shape)
            {
                tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dimension });
            }

            return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
        }
    }
}
