//! The ONNX messages dermtone's graphs need (field numbers from `onnx/onnx.proto`), encoded with
//! [`super::wire`]. Only what the exporter writes is modelled: float and int64 tensors stored as
//! raw little-endian bytes, tensor-typed graph inputs and outputs, and int, float, ints and
//! string attributes.

use super::wire::Message;

/// ONNX IR version 8 is the first that opset 17 may be used with.
pub(crate) const IR_VERSION: i64 = 8;
/// Operator set of the default (`ai.onnx`) domain the graphs are written against.
pub(crate) const OPSET: i64 = 17;

/// `TensorProto.DataType` values the exporter writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DataType {
    Float = 1,
    Int64 = 7,
}

/// A constant tensor (an initializer): its name, shape, element type and raw little-endian data.
pub(crate) struct TensorProto {
    pub name: String,
    pub dims: Vec<usize>,
    pub data_type: DataType,
    pub raw: Vec<u8>,
}

impl TensorProto {
    fn encode(&self) -> Message {
        let mut m = Message::new();
        for &d in &self.dims {
            m.int(1, d as i64);
        }
        m.int(2, self.data_type as i64)
            .string(8, &self.name)
            .bytes(9, &self.raw);
        m
    }
}

/// One dimension of a graph input or output: fixed, or named and left to the caller (the batch).
#[derive(Clone, Debug)]
pub(crate) enum Dim {
    Fixed(usize),
    Named(&'static str),
}

/// A float tensor input or output of the graph.
pub(crate) struct ValueInfoProto {
    pub name: String,
    pub dims: Vec<Dim>,
}

impl ValueInfoProto {
    fn encode(&self) -> Message {
        let mut shape = Message::new();
        for dim in &self.dims {
            let mut d = Message::new();
            match dim {
                Dim::Fixed(value) => d.int(1, *value as i64),
                Dim::Named(name) => d.string(2, name),
            };
            shape.message(1, d);
        }
        let mut tensor = Message::new();
        tensor.int(1, DataType::Float as i64).message(2, shape);
        let mut type_proto = Message::new();
        type_proto.message(1, tensor);
        let mut m = Message::new();
        m.string(1, &self.name).message(2, type_proto);
        m
    }
}

/// A node attribute's value (`AttributeProto.type` FLOAT, INT, STRING, INTS).
#[derive(Clone, Debug)]
pub(crate) enum AttributeValue {
    Float(f32),
    Int(i64),
    Str(&'static str),
    Ints(Vec<i64>),
}

/// A named node attribute.
#[derive(Clone, Debug)]
pub(crate) struct AttributeProto {
    pub name: &'static str,
    pub value: AttributeValue,
}

impl AttributeProto {
    fn encode(&self) -> Message {
        let mut m = Message::new();
        m.string(1, self.name);
        let kind = match &self.value {
            AttributeValue::Float(f) => {
                m.float(2, *f);
                1
            }
            AttributeValue::Int(i) => {
                m.int(3, *i);
                2
            }
            AttributeValue::Str(s) => {
                m.string(4, s);
                3
            }
            AttributeValue::Ints(values) => {
                for &v in values {
                    m.int(8, v);
                }
                7
            }
        };
        m.int(20, kind);
        m
    }
}

/// One operator application.
pub(crate) struct NodeProto {
    pub name: String,
    pub op_type: &'static str,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub attributes: Vec<AttributeProto>,
}

impl NodeProto {
    fn encode(&self) -> Message {
        let mut m = Message::new();
        for input in &self.inputs {
            m.string(1, input);
        }
        for output in &self.outputs {
            m.string(2, output);
        }
        m.string(3, &self.name).string(4, self.op_type);
        for attribute in &self.attributes {
            m.message(5, attribute.encode());
        }
        m
    }
}

/// A whole graph: nodes in topological order, constants, inputs and outputs.
pub(crate) struct GraphProto {
    pub name: String,
    pub doc: String,
    pub nodes: Vec<NodeProto>,
    pub initializers: Vec<TensorProto>,
    pub inputs: Vec<ValueInfoProto>,
    pub outputs: Vec<ValueInfoProto>,
}

impl GraphProto {
    fn encode(&self) -> Message {
        let mut m = Message::new();
        for node in &self.nodes {
            m.message(1, node.encode());
        }
        m.string(2, &self.name);
        for tensor in &self.initializers {
            m.message(5, tensor.encode());
        }
        m.string(10, &self.doc);
        for input in &self.inputs {
            m.message(11, input.encode());
        }
        for output in &self.outputs {
            m.message(12, output.encode());
        }
        m
    }
}

/// A complete `.onnx` file for `graph` (ModelProto: IR version, producer, opset import, graph).
pub(crate) fn model_bytes(graph: &GraphProto) -> Vec<u8> {
    let mut opset = Message::new();
    opset.string(1, "").int(2, OPSET);
    let mut m = Message::new();
    m.int(1, IR_VERSION)
        .string(2, "dermtone")
        .string(3, env!("CARGO_PKG_VERSION"))
        .message(7, graph.encode())
        .message(8, opset);
    m.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relu_graph() -> GraphProto {
        GraphProto {
            name: "g".into(),
            doc: String::new(),
            nodes: vec![NodeProto {
                name: "n".into(),
                op_type: "Relu",
                inputs: vec!["x".into()],
                outputs: vec!["y".into()],
                attributes: vec![],
            }],
            initializers: vec![],
            inputs: vec![ValueInfoProto {
                name: "x".into(),
                dims: vec![Dim::Named("batch"), Dim::Fixed(3)],
            }],
            outputs: vec![],
        }
    }

    #[test]
    fn a_node_encodes_its_fields_in_onnx_numbering() {
        let node = &relu_graph().nodes[0];
        let expected = [
            &[0x0a, 1, b'x'][..],               // input = 1
            &[0x12, 1, b'y'],                   // output = 2
            &[0x1a, 1, b'n'],                   // name = 3
            &[0x22, 4, b'R', b'e', b'l', b'u'], // op_type = 4
        ]
        .concat();
        assert_eq!(node.encode().into_bytes(), expected);
    }

    #[test]
    fn attributes_carry_their_type_code() {
        let alpha = AttributeProto {
            name: "alpha",
            value: AttributeValue::Float(0.5),
        };
        // name = 1 "alpha", f = 2 (fixed32 0.5), type = 20 FLOAT (1)
        let expected = [
            &[0x0a, 5][..],
            b"alpha",
            &[0x15, 0x00, 0x00, 0x00, 0x3f],
            &[0xa0, 0x01, 0x01],
        ]
        .concat();
        assert_eq!(alpha.encode().into_bytes(), expected);
        let pads = AttributeProto {
            name: "p",
            value: AttributeValue::Ints(vec![1, 2]),
        };
        // ints = 8, unpacked (proto2), then type = 20 INTS (7)
        assert_eq!(
            pads.encode().into_bytes(),
            [0x0a, 1, b'p', 0x40, 1, 0x40, 2, 0xa0, 0x01, 0x07]
        );
    }

    #[test]
    fn inputs_declare_a_named_batch_dimension() {
        let input = relu_graph().inputs.remove(0).encode().into_bytes();
        // ValueInfoProto { name: "x", type: TypeProto { tensor_type: { elem_type: FLOAT,
        // shape: { dim { dim_param: "batch" } dim { dim_value: 3 } } } } }
        let expected = [
            &[
                0x0a, 1, b'x', 0x12, 19, 0x0a, 17, 0x08, 0x01, 0x12, 13, 0x0a, 7, 0x12, 5,
            ][..],
            b"batch",
            &[0x0a, 2, 0x08, 3],
        ]
        .concat();
        assert_eq!(input, expected);
    }

    #[test]
    fn a_model_wraps_the_graph_with_ir_version_and_opset() {
        let graph = relu_graph();
        let graph_len = graph.encode().into_bytes().len();
        let bytes = model_bytes(&graph);
        assert_eq!(&bytes[..2], [0x08, IR_VERSION as u8]);
        let opset = [0x42, 4, 0x0a, 0, 0x10, OPSET as u8];
        assert!(bytes.ends_with(&opset));
        let producer = 2 + "dermtone".len() + 2 + env!("CARGO_PKG_VERSION").len();
        assert_eq!(bytes.len(), 2 + producer + 2 + graph_len + opset.len());
    }

    #[test]
    fn tensors_store_dims_type_name_and_raw_data() {
        let tensor = TensorProto {
            name: "w".into(),
            dims: vec![2],
            data_type: DataType::Int64,
            raw: [1i64, -1].iter().flat_map(|v| v.to_le_bytes()).collect(),
        };
        let bytes = tensor.encode().into_bytes();
        assert_eq!(&bytes[..7], [0x08, 2, 0x10, 7, 0x42, 1, b'w']);
        assert_eq!(&bytes[7..9], [0x4a, 16]);
        assert_eq!(bytes.len(), 9 + 16);
    }
}
