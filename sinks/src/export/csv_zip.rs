//! The Info Mart compatible CSV archive (operations.md §3.2): one folder per batch,
//!
//! ```text
//! <output-directory>/export_<HWM>_<YYYY_MM_DD_HH_MI_SS>/
//!     export_….zip             one <table>.csv per table
//!     export_….zip.sha1        `<sha1>  export_….zip` (sha1sum -c format)
//!     export_….manifest.json   what the batch holds
//!     export_….done            empty, written last
//! ```
//!
//! The folder is built as `export_….tmp`, synced, renamed into place, and only then gets its
//! `.done`; consumers ignore folders without it. Tables are rendered and compressed
//! concurrently, slice by slice, each into its own one-entry archive file in the staging
//! folder that is copied into the batch archive without recompressing once the table is
//! complete.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use arrow::record_batch::RecordBatch;

use super::csv_text::{CsvTextWriter, CsvWritten};
use super::encoding::CsvEncoding;
use super::{
    BatchInfo, BatchWriter, ExportError, ExportSink, Manifest, SinkOptions, TableSpec, TableWriter,
    TableWritten,
};

const FORMAT: &str = "csv-zip";

/// Suffix of the empty marker a complete batch folder holds (`<folder>/<folder>.done`).
pub const DONE_SUFFIX: &str = ".done";

/// Options of the CSV archive format.
#[derive(Debug, Clone)]
pub struct CsvZipOptions {
    /// Root folder of the batch folders.
    pub output_directory: PathBuf,
    /// Encoding of the CSV files.
    pub encoding: CsvEncoding,
}

/// The CSV archive format.
#[derive(Debug, Clone)]
pub struct CsvZipSink {
    options: CsvZipOptions,
}

impl CsvZipSink {
    /// Opens the output directory (created when missing) with the configured encoding.
    pub fn open(options: &SinkOptions) -> Result<CsvZipSink, ExportError> {
        let location = |reason: String| ExportError::Location {
            format: FORMAT,
            location: options.output_directory.display().to_string(),
            reason,
        };
        let encoding =
            CsvEncoding::for_label(&options.csv_encoding).map_err(|e| location(e.to_string()))?;
        fs::create_dir_all(&options.output_directory).map_err(|e| location(e.to_string()))?;
        Ok(CsvZipSink {
            options: CsvZipOptions {
                output_directory: options.output_directory.clone(),
                encoding,
            },
        })
    }

    fn folder(&self, name: &str) -> PathBuf {
        self.options.output_directory.join(name)
    }
}

fn io_error(batch: &str, what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ExportError {
    let (batch, what) = (batch.to_string(), what.into());
    move |source| ExportError::Io {
        format: FORMAT,
        batch,
        what,
        source,
    }
}

#[async_trait]
impl ExportSink for CsvZipSink {
    fn format(&self) -> &'static str {
        FORMAT
    }

    fn location(&self) -> String {
        self.options.output_directory.display().to_string()
    }

    fn encoding(&self) -> &'static str {
        self.options.encoding.name()
    }

    async fn published(&self, batch: &BatchInfo) -> Result<Option<Manifest>, ExportError> {
        let folder = self.folder(&batch.name);
        if !folder.join(format!("{}{DONE_SUFFIX}", batch.name)).exists() {
            return Ok(None);
        }
        let manifest = fs::read(folder.join(format!("{}.manifest.json", batch.name)))
            .map_err(io_error(&batch.name, "reading the manifest"))?;
        Ok(Manifest::from_json(&manifest).filter(|m| m.describes(batch)))
    }

    async fn begin(&self, batch: &BatchInfo) -> Result<Arc<dyn BatchWriter>, ExportError> {
        let root = self.options.output_directory.clone();
        let name = batch.name.clone();
        let encoding = self.options.encoding;
        tokio::task::spawn_blocking(move || -> Result<Arc<dyn BatchWriter>, ExportError> {
            for entry in fs::read_dir(&root).map_err(io_error(&name, "listing the output"))? {
                let path = entry.map_err(io_error(&name, "listing the output"))?.path();
                let leftover = path.extension().is_some_and(|e| e == "tmp")
                    || path.file_name().is_some_and(|f| f == name.as_str());
                if leftover && path.is_dir() {
                    fs::remove_dir_all(&path)
                        .map_err(io_error(&name, format!("removing {}", path.display())))?;
                }
            }
            let staging = root.join(format!("{name}.tmp"));
            fs::create_dir_all(&staging).map_err(io_error(&name, "creating the folder"))?;
            let zip_path = staging.join(format!("{name}.zip"));
            let file = File::create(&zip_path).map_err(io_error(&name, "creating the archive"))?;
            Ok(Arc::new(CsvZipBatch(Arc::new(BatchFolder {
                name,
                root,
                staging,
                encoding,
                zip: Mutex::new(Some(ZipWriter::new(BufWriter::new(file)))),
            }))))
        })
        .await
        .expect("export task panicked")
    }

    async fn remove_older_than(&self, cutoff: DateTime<Utc>) -> Result<Vec<String>, ExportError> {
        let root = self.options.output_directory.clone();
        tokio::task::spawn_blocking(move || {
            let mut removed = Vec::new();
            let listing =
                fs::read_dir(&root).map_err(io_error("retention", "listing the output"))?;
            for entry in listing {
                let entry = entry.map_err(io_error("retention", "listing the output"))?;
                let name = entry.file_name().to_string_lossy().to_string();
                if BatchInfo::parse_name(&name).is_some_and(|(_, t)| t < cutoff)
                    && entry.path().is_dir()
                {
                    fs::remove_dir_all(entry.path())
                        .map_err(io_error(&name, "removing an expired folder"))?;
                    removed.push(name);
                }
            }
            removed.sort();
            Ok(removed)
        })
        .await
        .expect("export task panicked")
    }
}

/// One batch folder being built.
struct CsvZipBatch(Arc<BatchFolder>);

/// The folder, archive and encoding of a batch being built.
struct BatchFolder {
    name: String,
    root: PathBuf,
    staging: PathBuf,
    encoding: CsvEncoding,
    zip: Mutex<Option<ZipWriter<BufWriter<File>>>>,
}

/// One table being written: its own one-entry archive file in the staging folder.
struct CsvTable {
    folder: Arc<BatchFolder>,
    table: String,
    /// The entry being written; `None` only while a slice is being rendered.
    entry: Option<CsvEntry>,
}

/// The one-entry archive of a table and its CSV text writer.
struct CsvEntry {
    path: PathBuf,
    zip: ZipWriter<BufWriter<File>>,
    csv: CsvTextWriter,
}

impl BatchFolder {
    fn encode_error(&self, table: &str) -> impl FnOnce(String) -> ExportError {
        let (batch, what) = (self.name.clone(), format!("{table}.csv"));
        move |reason| ExportError::Encode {
            format: FORMAT,
            batch,
            what,
            reason,
        }
    }

    /// Starts the table's one-entry deflated archive and writes the CSV header.
    fn start_entry(&self, table: &TableSpec) -> Result<CsvEntry, ExportError> {
        let encode = |e: String| self.encode_error(&table.name)(e);
        let path = self.staging.join(format!("{}.csv.zip.part", table.name));
        let file = File::create(&path).map_err(io_error(&self.name, path.display().to_string()))?;
        let mut zip = ZipWriter::new(BufWriter::new(file));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file(format!("{}.csv", table.name), options)
            .map_err(|e| encode(e.to_string()))?;
        let header: Vec<String> = table.columns.iter().map(|c| c.sql_name()).collect();
        let csv = CsvTextWriter::begin(&header, self.encoding, &mut zip).map_err(encode)?;
        Ok(CsvEntry { path, zip, csv })
    }

    /// Closes the table's archive, copies its entry into the batch archive and removes it.
    fn append(&self, table: &str, entry: CsvEntry) -> Result<CsvWritten, ExportError> {
        let encode = |e: String| self.encode_error(table)(e);
        let written = entry.csv.written();
        if written.replaced > 0 {
            tracing::warn!(
                table,
                characters = written.replaced,
                encoding = self.encoding.name(),
                "characters the CSV encoding cannot hold were written as '?'"
            );
        }
        let file = entry.zip.finish().map_err(|e| encode(e.to_string()))?;
        file.into_inner()
            .map_err(|e| io_error(&self.name, "writing a table")(e.into_error()))?;
        let single = File::open(&entry.path).map_err(io_error(&self.name, "reading a table"))?;
        let mut archive = ZipArchive::new(single).map_err(|e| encode(e.to_string()))?;
        let raw = archive.by_index_raw(0).map_err(|e| encode(e.to_string()))?;
        {
            let mut guard = self.zip.lock().expect("zip lock");
            let zip = guard
                .as_mut()
                .ok_or_else(|| encode("the batch is already published".into()))?;
            zip.raw_copy_file(raw).map_err(|e| encode(e.to_string()))?;
        }
        fs::remove_file(&entry.path).map_err(io_error(&self.name, "removing a table file"))?;
        Ok(written)
    }

    fn publish_blocking(&self, manifest: &Manifest) -> Result<(), ExportError> {
        let name = &self.name;
        let zip = self.zip.lock().expect("zip lock").take();
        let zip = zip.ok_or_else(|| ExportError::Encode {
            format: FORMAT,
            batch: name.clone(),
            what: "archive".into(),
            reason: "the batch is already published".into(),
        })?;
        let file = zip
            .finish()
            .map_err(|e| ExportError::Encode {
                format: FORMAT,
                batch: name.clone(),
                what: format!("{name}.zip"),
                reason: e.to_string(),
            })?
            .into_inner()
            .map_err(|e| io_error(name, "writing the archive")(e.into_error()))?;
        file.sync_all()
            .map_err(io_error(name, "syncing the archive"))?;
        let zip_name = format!("{name}.zip");
        let digest = sha1_of(&self.staging.join(&zip_name)).map_err(io_error(name, "checksum"))?;
        write_synced(
            &self.staging.join(format!("{zip_name}.sha1")),
            format!("{digest}  {zip_name}\n").as_bytes(),
        )
        .map_err(io_error(name, "writing the checksum"))?;
        write_synced(
            &self.staging.join(format!("{name}.manifest.json")),
            &manifest.to_json(),
        )
        .map_err(io_error(name, "writing the manifest"))?;
        let folder = self.root.join(name);
        fs::rename(&self.staging, &folder).map_err(io_error(name, "renaming the folder"))?;
        sync_dir(&self.root).map_err(io_error(name, "syncing the output directory"))?;
        write_synced(&folder.join(format!("{name}{DONE_SUFFIX}")), b"")
            .map_err(io_error(name, "writing the .done marker"))?;
        sync_dir(&folder).map_err(io_error(name, "syncing the folder"))
    }
}

#[async_trait]
impl TableWriter for CsvTable {
    async fn write(&mut self, batches: Vec<RecordBatch>) -> Result<(), ExportError> {
        let Some(mut entry) = self.entry.take() else {
            return Err(self.folder.encode_error(&self.table)(
                "the table is complete".into(),
            ));
        };
        let (entry, rendered) = tokio::task::spawn_blocking(move || {
            let rendered = entry.csv.write(&batches, &mut entry.zip);
            (entry, rendered)
        })
        .await
        .expect("export task panicked");
        self.entry = Some(entry);
        rendered.map_err(self.folder.encode_error(&self.table))
    }

    async fn finish(mut self: Box<Self>) -> Result<TableWritten, ExportError> {
        let Some(entry) = self.entry.take() else {
            return Err(self.folder.encode_error(&self.table)(
                "the table is complete".into(),
            ));
        };
        let (folder, table) = (Arc::clone(&self.folder), self.table.clone());
        let written = tokio::task::spawn_blocking(move || folder.append(&table, entry))
            .await
            .expect("export task panicked")?;
        Ok(TableWritten {
            rows: written.rows,
            bytes: written.bytes,
            files: Vec::new(),
        })
    }
}

#[async_trait]
impl BatchWriter for CsvZipBatch {
    async fn begin_table(&self, table: &TableSpec) -> Result<Box<dyn TableWriter>, ExportError> {
        let (folder, spec) = (Arc::clone(&self.0), table.clone());
        let entry = tokio::task::spawn_blocking(move || folder.start_entry(&spec))
            .await
            .expect("export task panicked")?;
        Ok(Box::new(CsvTable {
            folder: Arc::clone(&self.0),
            table: table.name.clone(),
            entry: Some(entry),
        }))
    }

    async fn publish(&self, manifest: &Manifest) -> Result<(), ExportError> {
        let (folder, manifest) = (Arc::clone(&self.0), manifest.clone());
        tokio::task::spawn_blocking(move || folder.publish_blocking(&manifest))
            .await
            .expect("export task panicked")
    }
}

/// Hex SHA-1 of a file.
fn sha1_of(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha1::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}
