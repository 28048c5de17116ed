package org.cxrscreen.model;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes an ONNX model from Java with the ONNX protobuf classes: float inputs and outputs with a
 * symbolic batch dimension, initializers (weights) and operator nodes. Nodes name their outputs
 * uniquely, so a network is written as a chain of calls.
 */
public final class OnnxGraph {

    /** The operator set written; ONNX Runtime 1.21 and TensorRT 10 read it. */
    public static final long OPSET = 17;

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    public OnnxGraph(String name) {
        graph.setName(name);
    }

    /** Declares a float input; a dimension of -1 is the symbolic batch size. */
    public String input(String name, long... dims) {
        graph.addInput(valueInfo(name, dims));
        return name;
    }

    /** Declares {@code value} as a float output named {@code name}. */
    public String output(String name, String value, long... dims) {
        String out = value;
        if (!value.equals(name)) {
            out = node("Identity", new String[] {value}, name);
        }
        graph.addOutput(valueInfo(name, dims));
        return out;
    }

    /** Adds a float tensor of weights. */
    public String initializer(String name, float[] values, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (count != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape of " + count);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            tensor.addDims(d);
        }
        graph.addInitializer(tensor);
        return name;
    }

    /** Adds an int64 tensor (axes for Unsqueeze and ReduceSum, shapes). */
    public String constant(String name, long... values) {
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(values.length);
        for (long v : values) {
            tensor.addInt64Data(v);
        }
        graph.addInitializer(tensor);
        return name;
    }

    /**
     * Copies another model's graph into this one: its initializers and nodes, every name prefixed
     * with {@code prefix}, its (single) input fed from {@code input}. Returns the new names of its
     * outputs, by their old names.
     */
    public java.util.Map<String, String> include(ModelProto model, String prefix, String input) {
        GraphProto other = model.getGraph();
        java.util.Set<String> initializers = new java.util.HashSet<>();
        other.getInitializerList().forEach(t -> initializers.add(t.getName()));
        List<String> inputs = other.getInputList().stream().map(ValueInfoProto::getName)
                .filter(n -> !initializers.contains(n)).toList();
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("only graphs with one input can be included, not " + inputs);
        }
        String otherInput = inputs.get(0);
        java.util.function.UnaryOperator<String> rename = name -> name.isEmpty() ? name
                : name.equals(otherInput) ? input : prefix + name;
        for (TensorProto tensor : other.getInitializerList()) {
            graph.addInitializer(tensor.toBuilder().setName(rename.apply(tensor.getName())));
        }
        for (NodeProto node : other.getNodeList()) {
            NodeProto.Builder copy = node.toBuilder().clearInput().clearOutput().setName(prefix + node.getName());
            node.getInputList().forEach(n -> copy.addInput(rename.apply(n)));
            node.getOutputList().forEach(n -> copy.addOutput(rename.apply(n)));
            graph.addNode(copy);
        }
        java.util.Map<String, String> outputs = new java.util.LinkedHashMap<>();
        other.getOutputList().forEach(o -> outputs.put(o.getName(), rename.apply(o.getName())));
        return outputs;
    }

    /** Adds a node with one output and returns the output's name. */
    public String node(String op, String[] inputs, AttributeProto... attributes) {
        return node(op, inputs, op.toLowerCase() + "_" + counter++, attributes);
    }

    private String node(String op, String[] inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder()
                .setOpType(op)
                .setName(output)
                .addOutput(output);
        for (String input : inputs) {
            node.addInput(input);
        }
        for (AttributeProto attribute : attributes) {
            node.addAttribute(attribute);
        }
        graph.addNode(node);
        return output;
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    /** The model as ONNX bytes. */
    public byte[] toBytes(String producer, String version) {
        ModelProto model = ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName(producer)
                .setProducerVersion(version)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
        return model.toByteArray();
    }

    public void write(Path file, String producer, String version) {
        try {
            Files.write(file, toBytes(producer, version));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static ValueInfoProto valueInfo(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }
}
