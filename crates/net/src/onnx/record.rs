//! A module's weights by name, read from its f32 burnpack record: the exporter takes the very
//! tensors the loaded network runs, and checks that it placed every one of them in the graph.

use std::collections::BTreeMap;

use burn_pack::{Bytes, DType, Reader};

use super::ExportError;

/// One f32 tensor of the record: shape and raw little-endian bytes.
pub(crate) struct Weight {
    pub shape: Vec<usize>,
    pub raw: Vec<u8>,
}

/// The tensors of a record not yet placed in a graph, keyed by their module path
/// (e.g. `blocks.3.depthwise.conv.weight`).
pub(crate) struct Record(BTreeMap<String, Weight>);

impl Record {
    /// Reads an f32 burnpack record (`Classifier::record_bytes`, `Generator::record_bytes`).
    pub fn from_bytes(record: Vec<u8>) -> Result<Self, ExportError> {
        let reader =
            Reader::from_bytes(Bytes::from_bytes_vec(record)).map_err(ExportError::pack)?;
        let mut tensors = BTreeMap::new();
        for tensor in reader.into_tensors().map_err(ExportError::pack)? {
            let (name, dtype, shape, _, bytes) = tensor.into_parts().map_err(ExportError::pack)?;
            if dtype != DType::F32 {
                return Err(ExportError(format!("tensor {name} is {dtype:?}, not f32")));
            }
            tensors.insert(
                name,
                Weight {
                    shape: shape.to_vec(),
                    raw: bytes.to_vec(),
                },
            );
        }
        Ok(Self(tensors))
    }

    /// Whether the record holds `name` (and it has not been taken yet).
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// Removes and returns tensor `name`.
    pub fn take(&mut self, name: &str) -> Result<Weight, ExportError> {
        self.0
            .remove(name)
            .ok_or_else(|| ExportError(format!("the weights have no tensor {name}")))
    }

    /// Fails if any tensor was left out of the graph: the network has a layer the exporter does
    /// not know, and the graph would compute something else.
    pub fn finish(self) -> Result<(), ExportError> {
        match self.0.keys().next() {
            None => Ok(()),
            Some(_) => Err(ExportError(format!(
                "the exporter did not use these weights, so its graph does not match the \
                 network: {}",
                self.0.keys().cloned().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}
