//! The protobuf wire format, only as far as ONNX files need it: varints, 32-bit floats and
//! length-delimited fields. Hand-written (≈ 60 lines) so that exporting pulls in no protobuf
//! crate, code generator or `.proto` file.

/// Protobuf wire types used by ONNX's messages.
#[derive(Clone, Copy)]
enum WireType {
    Varint = 0,
    LengthDelimited = 2,
    Fixed32 = 5,
}

/// One protobuf message being written, field by field, in the order the fields are added.
#[derive(Default)]
pub(crate) struct Message(Vec<u8>);

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// An `int32`, `int64` or enum field. Negative values take ten bytes, as protobuf requires.
    pub fn int(&mut self, field: u32, value: i64) -> &mut Self {
        self.key(field, WireType::Varint);
        self.varint(value as u64);
        self
    }

    /// A `float` field.
    pub fn float(&mut self, field: u32, value: f32) -> &mut Self {
        self.key(field, WireType::Fixed32);
        self.0.extend(value.to_le_bytes());
        self
    }

    /// A `bytes` field.
    pub fn bytes(&mut self, field: u32, value: &[u8]) -> &mut Self {
        self.key(field, WireType::LengthDelimited);
        self.varint(value.len() as u64);
        self.0.extend_from_slice(value);
        self
    }

    /// A `string` field.
    pub fn string(&mut self, field: u32, value: &str) -> &mut Self {
        self.bytes(field, value.as_bytes())
    }

    /// An embedded message field.
    pub fn message(&mut self, field: u32, value: Message) -> &mut Self {
        self.bytes(field, &value.0)
    }

    fn key(&mut self, field: u32, wire: WireType) {
        self.varint(u64::from(field) << 3 | wire as u64);
    }

    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push(value as u8 | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_match_the_protobuf_documentation_examples() {
        // "Base 128 Varints" and "Length-Delimited Records" in protobuf.dev/programming-guides/encoding.
        assert_eq!(Message::new().int(1, 150).0, [0x08, 0x96, 0x01]);
        assert_eq!(
            Message::new().string(2, "testing").0,
            [0x12, 0x07, b't', b'e', b's', b't', b'i', b'n', b'g']
        );
        let mut inner = Message::new();
        inner.int(1, 150);
        assert_eq!(
            Message::new().message(3, inner).0,
            [0x1a, 0x03, 0x08, 0x96, 0x01]
        );
    }

    #[test]
    fn negative_ints_take_ten_bytes_and_floats_four() {
        let negative = Message::new().int(3, -1).0.clone();
        assert_eq!(negative.len(), 11);
        assert_eq!(negative[0], 0x18);
        assert!(negative[1..10].iter().all(|&b| b == 0xff));
        assert_eq!(negative[10], 0x01);
        assert_eq!(
            Message::new().float(2, 1.0).0,
            [0x15, 0x00, 0x00, 0x80, 0x3f]
        );
    }
}
