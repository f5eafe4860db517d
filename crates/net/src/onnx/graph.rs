//! [`GraphBuilder`]: nodes in topological order, with every weight moved in from the module's
//! record as an initializer under its burn module path, so a graph reads like the network.

use std::collections::HashSet;

use super::ExportError;
use super::proto::{
    AttributeProto, AttributeValue, DataType, Dim, GraphProto, NodeProto, TensorProto,
    ValueInfoProto, model_bytes,
};
use super::record::Record;

/// Builds one ONNX graph from one module's record.
pub(crate) struct GraphBuilder {
    record: Record,
    inputs: Vec<ValueInfoProto>,
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    names: HashSet<String>,
}

/// Shorthand for a node attribute.
pub(crate) fn attr(name: &'static str, value: AttributeValue) -> AttributeProto {
    AttributeProto { name, value }
}

impl GraphBuilder {
    /// An empty graph over `record`'s weights, taking float `inputs` (name, shape).
    pub fn new(record: Record, inputs: Vec<(&str, Vec<Dim>)>) -> Self {
        Self {
            record,
            names: inputs.iter().map(|(name, _)| name.to_string()).collect(),
            inputs: value_infos(inputs),
            nodes: Vec::new(),
            initializers: Vec::new(),
        }
    }

    /// Adds node `op` on `inputs`; its single output is named `name` (made unique if taken).
    pub fn op(
        &mut self,
        name: &str,
        op: &'static str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
    ) -> String {
        self.op_outputs(name, op, inputs, attributes, 1).remove(0)
    }

    /// Adds node `op` with `outputs` outputs, named `name:0`, `name:1`, …
    pub fn op_outputs(
        &mut self,
        name: &str,
        op: &'static str,
        inputs: &[&str],
        attributes: Vec<AttributeProto>,
        outputs: usize,
    ) -> Vec<String> {
        let name = self.unique(name);
        let outputs = match outputs {
            1 => vec![name.clone()],
            n => (0..n).map(|i| format!("{name}:{i}")).collect(),
        };
        self.nodes.push(NodeProto {
            name,
            op_type: op,
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            outputs: outputs.clone(),
            attributes,
        });
        outputs
    }

    /// Whether the record still holds weight `path`.
    pub fn has_weight(&self, path: &str) -> bool {
        self.record.has(path)
    }

    /// Moves weight `path` from the record into the graph; returns its name and shape.
    pub fn weight(&mut self, path: &str) -> Result<(String, Vec<usize>), ExportError> {
        let weight = self.record.take(path)?;
        let shape = weight.shape.clone();
        self.initializers.push(TensorProto {
            name: path.to_string(),
            dims: weight.shape,
            data_type: DataType::Float,
            raw: weight.raw,
        });
        self.names.insert(path.to_string());
        Ok((path.to_string(), shape))
    }

    /// A float constant named `name`, added once however often it is asked for.
    pub fn floats(&mut self, name: &str, dims: &[usize], values: &[f32]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.constant(name, dims, DataType::Float, raw)
    }

    /// An int64 constant (shapes, axes, slice bounds) named `name`, added once.
    pub fn int64s(&mut self, name: &str, values: &[i64]) -> String {
        let raw = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.constant(name, &[values.len()], DataType::Int64, raw)
    }

    fn constant(
        &mut self,
        name: &str,
        dims: &[usize],
        data_type: DataType,
        raw: Vec<u8>,
    ) -> String {
        if self.names.insert(name.to_string()) {
            self.initializers.push(TensorProto {
                name: name.to_string(),
                dims: dims.to_vec(),
                data_type,
                raw,
            });
        }
        name.to_string()
    }

    fn unique(&mut self, name: &str) -> String {
        let mut candidate = name.to_string();
        let mut n = 1;
        while !self.names.insert(candidate.clone()) {
            n += 1;
            candidate = format!("{name}#{n}");
        }
        candidate
    }

    /// The `.onnx` file with float `outputs` (each the name of a node's output), once every
    /// weight of the record has been placed.
    pub fn finish(
        self,
        name: &str,
        doc: &str,
        outputs: Vec<(&str, Vec<Dim>)>,
    ) -> Result<Vec<u8>, ExportError> {
        self.record.finish()?;
        Ok(model_bytes(&GraphProto {
            name: name.to_string(),
            doc: doc.to_string(),
            nodes: self.nodes,
            initializers: self.initializers,
            inputs: self.inputs,
            outputs: value_infos(outputs),
        }))
    }
}

fn value_infos(list: Vec<(&str, Vec<Dim>)>) -> Vec<ValueInfoProto> {
    list.into_iter()
        .map(|(name, dims)| ValueInfoProto {
            name: name.to_string(),
            dims,
        })
        .collect()
}
