//! A tiny reader for the datasets' comma-separated tables (no quoted fields in any of them):
//! columns are looked up by header name, so column order can change without breaking us.

use std::collections::HashMap;
use std::path::Path;

/// A CSV file read into memory, addressed by column name.
pub struct Table {
    path: String,
    columns: HashMap<String, usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads `path`; every row must have as many fields as the header.
    pub fn read(path: &Path) -> Result<Self, String> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines.next().ok_or_else(|| format!("{shown} is empty"))?;
        let columns: HashMap<String, usize> = header
            .trim()
            .split(',')
            .enumerate()
            .map(|(i, name)| (name.to_string(), i))
            .collect();
        let rows = lines
            .enumerate()
            .map(|(i, line)| {
                let fields: Vec<String> = line.trim_end_matches('\r').split(',').map(String::from).collect();
                if fields.len() == columns.len() {
                    Ok(fields)
                } else {
                    Err(format!(
                        "{shown} line {}: {} fields where the header has {} (quoted commas are not supported)",
                        i + 2,
                        fields.len(),
                        columns.len()
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            path: shown,
            columns,
            rows,
        })
    }

    /// Index of a column that must exist.
    pub fn column(&self, name: &str) -> Result<usize, String> {
        self.columns
            .get(name)
            .copied()
            .ok_or_else(|| format!("{} has no column {name:?}", self.path))
    }

    /// The data rows.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// An error naming the file and the (1-based, header = 1) line of row `row`.
    pub fn error(&self, row: usize, what: &str) -> String {
        format!("{} line {}: {what}", self.path, row + 2)
    }
}
