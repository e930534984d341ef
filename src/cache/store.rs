//! The cache file: one per project run configuration, written whole and renamed into place,
//! read back only when every check passes; and beside it, after a run that changed little,
//! a delta file that holds only what changed.
//!
//! Layout: a fixed preamble (magic, format version, then the length and xxh3 checksum of
//! each of the three sections), then the sections:
//! 1. the header ([`Header`]): the build and settings it was written for, a record per file,
//!    and the last link's findings;
//! 2. the files' own findings and `noqa` directives, which every run reads;
//! 3. the files' summaries and line indexes, which only a run that links again reads.
//!
//! A file that is truncated, longer than it says, from another build or format, or whose
//! checksums do not match is not read at all. Writers write a temporary file next to the
//! cache file and rename it over: a reader sees the old file or the new one, never a mix,
//! and of two concurrent writers the last rename wins.
//!
//! **The delta file** (`.delta` beside the `.bin`). A run that links again after a one-file
//! edit changes one summary and the header, but writing the whole file again took
//! about a tenth of such a run on the benchmark corpus (46 MB, 36 of them summaries).
//! So a run whose new data (the sections' bytes of the files analysed since the base was
//! written) is small beside the base's writes a delta instead: the same layout, with
//! the [`BaseId`] of the base after the preamble, the whole new header, and only the new
//! data. A record's span with [`Span::IN_DELTA`] set points into the delta's sections,
//! any other into the base's. A delta is read only over the base it names (the lengths
//! and checksums of the base's second and third sections): over any other base, or
//! damaged, it is ignored and the base is read as it is. A full write removes the delta.

use std::fs::File;
use std::hash::Hasher;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

use super::keys::{Stamp, hash_bytes};

const MAGIC: &[u8; 8] = b"LWCACHE\0";
const DELTA_MAGIC: &[u8; 8] = b"LWDELTA\0";
/// The layout's version: bumped when the preamble or the header change shape.
const FORMAT: u32 = 5;
const PREAMBLE: usize = 8 + 4 + 4 + 6 * 8;
/// A delta's preamble: the base's, then the [`BaseId`] it was written over.
const DELTA_PREAMBLE: usize = PREAMBLE + 4 * 8;

/// Where a file's data sits in a section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: u64,
    pub len: u64,
}

impl Span {
    /// Set in [`Span::start`] for data in the delta file's section rather than the base's.
    pub const IN_DELTA: u64 = 1 << 63;

    /// The bytes of this span in `section` (`None`: out of its bounds).
    pub fn of<'s>(&self, section: &'s [u8]) -> Option<&'s [u8]> {
        let start = usize::try_from(self.start).ok()?;
        let end = start.checked_add(usize::try_from(self.len).ok()?)?;
        section.get(start..end)
    }

    /// Whether the span points into the delta file.
    pub fn in_delta(&self) -> bool {
        self.start & Self::IN_DELTA != 0
    }

    /// The span within its own file's section.
    fn within(&self) -> Span {
        Span {
            start: self.start & !Self::IN_DELTA,
            len: self.len,
        }
    }
}

/// A section as a run reads it: the base file's part and the delta's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Section<'s> {
    pub base: &'s [u8],
    pub delta: &'s [u8],
}

impl<'s> Section<'s> {
    /// The bytes of `span`, in the base or the delta as the span says (`None`: out of
    /// bounds).
    pub fn get(&self, span: Span) -> Option<&'s [u8]> {
        let part = if span.in_delta() {
            self.delta
        } else {
            self.base
        };
        span.within().of(part)
    }
}

/// Which base file a delta was written over: the lengths and checksums of the base's
/// second and third sections (what the delta's records may point into).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseId {
    local: (u64, u64),
    summaries: (u64, u64),
}

impl BaseId {
    /// The bytes of the base's second and third sections.
    pub fn data_len(&self) -> u64 {
        self.local.0.saturating_add(self.summaries.0)
    }
}

/// What the cache knows of one file. Stored at a fixed width ([`fixed_width`]), not field
/// by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    /// [`super::keys::name_key`] of its path: the key the next run looks the file up by.
    pub name: u64,
    /// [`super::keys::module_key`] of its module name.
    pub module: u64,
    /// Size and modification time, when they may be trusted ([`Stamp::of`]).
    pub stamp: Option<Stamp>,
    /// xxh3 of its bytes.
    pub content: u64,
    /// xxh3 of its serialized summary and line index: what the link reads of it.
    pub link: u64,
    /// The shape of its summary: all of it but its offsets (`super::shape`).
    pub shape: u64,
    /// Its findings need its text to be shown (it has findings of its own, or `noqa` codes
    /// that LW003 reviews).
    pub needs_text: bool,
    /// Its own findings, `noqa` directives and notebook cells, in the second section.
    pub local: Span,
    /// Its summary and line index, in the third section.
    pub summary: Span,
}

/// The whole-project rules' findings of the run that wrote the file.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LinkRecord {
    /// [`super::link_key`] of the files that were linked.
    pub key: u64,
    /// The same key of their shapes, when the records of this file are the ones linked, one
    /// per file in order: a run whose files differ from them only in offsets moves the
    /// findings with the code (`super::relocate`) instead of linking again.
    pub shape: Option<u64>,
    /// The findings, by the position of their file among the files linked (files without
    /// any are left out): the key names those files in order.
    pub findings: Vec<(u32, Vec<Diagnostic>)>,
    /// The hashes of the callee paths the link did nothing with, sorted
    /// (`Project::inert_callees`): a summary that changed only in calls of those, and in its
    /// offsets, moves the findings with the code too.
    pub inert: Vec<u64>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Header {
    pub build: String,
    pub settings: u64,
    #[serde(with = "fixed_width")]
    pub files: Vec<FileRecord>,
    pub link: Option<LinkRecord>,
}

/// The records as one byte string, each [`fixed_width::RECORD`] bytes of little-endian
/// fields. Field by field, a record was nine variable-length integers, most of them hashes
/// that take ten bytes each: decoding 15,512 of them took 16 M instructions, two thirds of
/// reading the header of the benchmark corpus's cache file on a one-file edit.
mod fixed_width {
    use super::{FileRecord, Span, Stamp};

    /// name, module, content, link, shape, stamp size and time (16), local and summary
    /// spans (16 each), then the flags.
    pub const RECORD: usize = 8 * 5 + 8 + 16 + 16 + 16 + 1;
    const HAS_STAMP: u8 = 1;
    const NEEDS_TEXT: u8 = 2;

    pub fn serialize<S: serde::Serializer>(
        records: &[FileRecord],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(records.len() * RECORD);
        for record in records {
            let stamp = record.stamp.unwrap_or(Stamp {
                size: 0,
                modified: 0,
            });
            for field in [
                record.name,
                record.module,
                record.content,
                record.link,
                record.shape,
            ] {
                bytes.extend_from_slice(&field.to_le_bytes());
            }
            bytes.extend_from_slice(&stamp.size.to_le_bytes());
            bytes.extend_from_slice(&stamp.modified.to_le_bytes());
            for span in [record.local, record.summary] {
                bytes.extend_from_slice(&span.start.to_le_bytes());
                bytes.extend_from_slice(&span.len.to_le_bytes());
            }
            let flags = if record.stamp.is_some() { HAS_STAMP } else { 0 }
                | if record.needs_text { NEEDS_TEXT } else { 0 };
            bytes.push(flags);
        }
        serializer.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<FileRecord>, D::Error> {
        deserializer.deserialize_bytes(Records)
    }

    struct Records;

    impl serde::de::Visitor<'_> for Records {
        type Value = Vec<FileRecord>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(formatter, "file records of {RECORD} bytes each")
        }

        fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
            if !bytes.len().is_multiple_of(RECORD) {
                return Err(E::invalid_length(bytes.len(), &self));
            }
            Ok(bytes.chunks_exact(RECORD).map(decode).collect())
        }
    }

    fn decode(bytes: &[u8]) -> FileRecord {
        let u64_at =
            |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let flags = bytes[RECORD - 1];
        let stamp = Stamp {
            size: u64_at(40),
            modified: u128::from_le_bytes(bytes[48..64].try_into().unwrap_or_default()),
        };
        FileRecord {
            name: u64_at(0),
            module: u64_at(8),
            content: u64_at(16),
            link: u64_at(24),
            shape: u64_at(32),
            stamp: (flags & HAS_STAMP != 0).then_some(stamp),
            local: Span {
                start: u64_at(64),
                len: u64_at(72),
            },
            summary: Span {
                start: u64_at(80),
                len: u64_at(88),
            },
            needs_text: flags & NEEDS_TEXT != 0,
        }
    }
}

/// A cache file that passed every check but the summary section's, which is read on demand;
/// with the delta written over it, when there is one that checks out.
pub struct Opened {
    /// The delta's header when there is a delta, else the base's.
    pub header: Header,
    local: Vec<u8>,
    delta: DeltaData,
    file: File,
    base: BaseId,
    summaries_at: u64,
    summaries: Option<Option<Vec<u8>>>,
}

/// A delta's second and third sections (empty without a delta).
#[derive(Default)]
struct DeltaData {
    local: Vec<u8>,
    summaries: Vec<u8>,
}

impl Opened {
    /// The second section: every file's own findings and `noqa` directives.
    pub fn local(&self) -> Section<'_> {
        Section {
            base: &self.local,
            delta: &self.delta.local,
        }
    }

    /// The summary section, read and checked on first use (`None`: the base's does not
    /// check out).
    pub fn summaries(&mut self) -> Option<Section<'_>> {
        if self.summaries.is_none() {
            let (len, sum) = self.base.summaries;
            let read = read_section(&mut self.file, self.summaries_at, len, sum);
            self.summaries = Some(read);
        }
        self.loaded_summaries()
    }

    /// The bytes of `span` of the summary section, read alone when the section was not read
    /// whole. They are not checked against the section's checksum (that needs the whole
    /// section): the caller must check what they decode to (`super::Run::moves` compares
    /// it with the record's hash).
    pub fn summary_unchecked(&mut self, span: Span) -> Option<Vec<u8>> {
        if span.in_delta() {
            return self.delta_summaries().get(span).map(<[u8]>::to_vec);
        }
        if let Some(read) = &self.summaries {
            return read
                .as_deref()
                .and_then(|section| span.of(section))
                .map(<[u8]>::to_vec);
        }
        let end = span.start.checked_add(span.len)?;
        if end > self.base.summaries.0 {
            return None;
        }
        self.file
            .seek(SeekFrom::Start(self.summaries_at.checked_add(span.start)?))
            .ok()?;
        let mut bytes = vec![0; usize::try_from(span.len).ok()?];
        self.file.read_exact(&mut bytes).ok()?;
        Some(bytes)
    }

    /// Frees the summary section read: [`Opened::summaries`] reads it again.
    pub fn release_summaries(&mut self) {
        self.summaries = None;
    }

    /// The summary section if [`Opened::summaries`] read it and it checked out.
    pub fn loaded_summaries(&self) -> Option<Section<'_>> {
        let base = self.summaries.as_ref()?.as_deref()?;
        Some(Section {
            base,
            delta: &self.delta.summaries,
        })
    }

    /// The delta's part of the summary section alone (the base's is not read for it).
    pub fn delta_summaries(&self) -> Section<'_> {
        Section {
            base: &[],
            delta: &self.delta.summaries,
        }
    }

    /// The base file read: what a delta written now must name.
    pub fn base(&self) -> BaseId {
        self.base
    }
}

/// Opens the cache file at `path` when it was written by `build` and is whole, with the
/// delta beside it when that was written by `build` over this file and is whole. Anything
/// else is `None`: the run goes on without a cache. Whether it was written for the run's
/// settings ([`Header::settings`]) is the caller's to check: the fingerprint of those
/// depends on the walk, which a cached run does while the file is read.
pub fn open(path: &Path, build: &str) -> Option<Opened> {
    let mut file = File::open(path).ok()?;
    let (layout, _) = read_layout(&mut file, MAGIC, PREAMBLE)?;
    let base = BaseId {
        local: layout.sections[1],
        summaries: layout.sections[2],
    };
    let (header, delta) = match open_delta(&delta_path(path), build, base) {
        Some(read) => read,
        None => {
            let header = layout.read(&mut file, 0)?;
            let header: Header = postcard::from_bytes(&header).ok()?;
            (header, DeltaData::default())
        }
    };
    if header.build != build {
        return None;
    }
    let local = layout.read(&mut file, 1)?;
    Some(Opened {
        header,
        local,
        delta,
        file,
        base,
        summaries_at: layout.offset(2),
        summaries: None,
    })
}

/// The delta at `path`, read whole, when it was written by `build` over `base`.
fn open_delta(path: &Path, build: &str, base: BaseId) -> Option<(Header, DeltaData)> {
    let mut file = File::open(path).ok()?;
    let (layout, preamble) = read_layout(&mut file, DELTA_MAGIC, DELTA_PREAMBLE)?;
    let named = BaseId {
        local: (u64_at(&preamble, PREAMBLE), u64_at(&preamble, PREAMBLE + 8)),
        summaries: (
            u64_at(&preamble, PREAMBLE + 16),
            u64_at(&preamble, PREAMBLE + 24),
        ),
    };
    if named != base {
        return None;
    }
    let header: Header = postcard::from_bytes(&layout.read(&mut file, 0)?).ok()?;
    if header.build != build {
        return None;
    }
    let delta = DeltaData {
        local: layout.read(&mut file, 1)?,
        summaries: layout.read(&mut file, 2)?,
    };
    Some((header, delta))
}

/// Where the delta of the cache file at `path` is.
pub fn delta_path(path: &Path) -> PathBuf {
    path.with_extension("delta")
}

/// Where a file's three sections are, from its preamble.
struct Layout {
    /// Length and checksum of each section.
    sections: [(u64, u64); 3],
    /// Where the first section starts.
    at: u64,
}

impl Layout {
    /// Where section `index` starts.
    fn offset(&self, index: usize) -> u64 {
        self.at
            + self.sections[..index]
                .iter()
                .map(|(len, _)| len)
                .sum::<u64>()
    }

    /// Section `index`, read and checked.
    fn read(&self, file: &mut File, index: usize) -> Option<Vec<u8>> {
        let (len, sum) = self.sections[index];
        read_section(file, self.offset(index), len, sum)
    }
}

/// The preamble of `file` (its first `preamble_len` bytes) and what it says of the
/// sections, when it has `magic`, this format, and the file is exactly as long as it says.
fn read_layout(file: &mut File, magic: &[u8; 8], preamble_len: usize) -> Option<(Layout, Vec<u8>)> {
    let length = file.metadata().ok()?.len();
    let mut preamble = vec![0u8; preamble_len];
    file.read_exact(&mut preamble).ok()?;
    if &preamble[..8] != magic || u32_at(&preamble, 8) != FORMAT {
        return None;
    }
    let sections: [(u64, u64); 3] = std::array::from_fn(|index| {
        (
            u64_at(&preamble, 16 + 16 * index),
            u64_at(&preamble, 24 + 16 * index),
        )
    });
    let expected = sections
        .iter()
        .try_fold(preamble_len as u64, |sum, (len, _)| sum.checked_add(*len))?;
    (expected == length).then_some((
        Layout {
            sections,
            at: preamble_len as u64,
        },
        preamble,
    ))
}

fn read_section(file: &mut File, at: u64, len: u64, sum: u64) -> Option<Vec<u8>> {
    file.seek(SeekFrom::Start(at)).ok()?;
    let mut bytes = vec![0; usize::try_from(len).ok()?];
    file.read_exact(&mut bytes).ok()?;
    (hash_bytes(&bytes) == sum).then_some(bytes)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default())
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
}

/// The summaries section of a run that starts with no cache file, written to a file of
/// its own as each file's summary is made instead of held until the cache file is written
/// (on the benchmark corpus, 32 MB of compressed summaries in 15,512 blocks, held through
/// the link). The cache file is then its preamble, header and local section followed by a
/// copy of this file, made by the kernel. The file is removed as soon as it is made where
/// the system allows (it is then reached through its handle alone), else when the spill
/// is dropped.
pub struct Spill {
    /// The file's name, while it has one.
    named: Option<PathBuf>,
    written: std::sync::Mutex<Spilled>,
}

struct Spilled {
    file: io::BufWriter<File>,
    len: u64,
    sum: twox_hash::XxHash3_64,
    /// A write failed: the spill is not used, and the run writes no cache file.
    failed: bool,
}

impl Spill {
    /// A spill beside the cache file at `path` (`None`: it cannot be made).
    pub fn beside(path: &Path) -> Option<Self> {
        let spill_path = temporary_path(path);
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&spill_path)
            .ok()?;
        // Where an open file can lose its name, it does at once: nothing is left behind
        // whatever becomes of the run.
        let named =
            (!cfg!(unix) || std::fs::remove_file(&spill_path).is_err()).then_some(spill_path);
        Some(Spill {
            named,
            written: std::sync::Mutex::new(Spilled {
                file: io::BufWriter::with_capacity(256 << 10, file),
                len: 0,
                sum: super::keys::hasher(),
                failed: false,
            }),
        })
    }

    /// Appends `bytes`; where they are in the section (`None`: the spill failed).
    pub fn append(&self, bytes: &[u8]) -> Option<Span> {
        let mut spilled = self.written.lock().ok()?;
        if spilled.failed {
            return None;
        }
        if spilled.file.write_all(bytes).is_err() {
            spilled.failed = true;
            return None;
        }
        spilled.sum.write(bytes);
        let span = Span {
            start: spilled.len,
            len: bytes.len() as u64,
        };
        spilled.len += span.len;
        Some(span)
    }

    /// Whether every append so far succeeded.
    pub fn holds(&self) -> bool {
        self.written.lock().is_ok_and(|spilled| !spilled.failed)
    }

    /// The section's length and checksum, and its file rewound to its start.
    fn finish(&self) -> io::Result<(u64, u64, File)> {
        let mut spilled = self
            .written
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?;
        if spilled.failed {
            return Err(io::Error::other("a write to the spill failed"));
        }
        spilled.file.flush()?;
        let mut file = spilled.file.get_ref().try_clone()?;
        file.seek(SeekFrom::Start(0))?;
        Ok((spilled.len, spilled.sum.finish(), file))
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some(named) = &self.named {
            let _ = std::fs::remove_file(named);
        }
    }
}

/// A cache file's summaries section: pieces in memory, or a [`Spill`] whole.
pub enum Summaries<'p> {
    Pieces(&'p [&'p [u8]]),
    Spilled(&'p Spill),
}

/// Writes a cache file at `path`: to a temporary file in the same directory first, renamed
/// over `path` once complete; then removes the delta of the file it replaced.
/// The second and third sections are given as the pieces they are made of.
pub fn write(
    path: &Path,
    header: &Header,
    local: &[&[u8]],
    summaries: Summaries,
) -> io::Result<()> {
    write_file(path, (MAGIC, &[]), header, local, summaries)?;
    // Named a base that is gone: it would not be read, but it would take room.
    let _ = std::fs::remove_file(delta_path(path));
    Ok(())
}

/// Writes the delta of the cache file at `path`, over its `base`: `header` whole, the
/// sections' pieces new since the base (the records' spans into them marked
/// [`Span::IN_DELTA`]).
pub fn write_delta(
    path: &Path,
    base: BaseId,
    header: &Header,
    local: &[&[u8]],
    summaries: &[&[u8]],
) -> io::Result<()> {
    let mut named = Vec::with_capacity(DELTA_PREAMBLE - PREAMBLE);
    for field in [
        base.local.0,
        base.local.1,
        base.summaries.0,
        base.summaries.1,
    ] {
        named.extend_from_slice(&field.to_le_bytes());
    }
    write_file(
        &delta_path(path),
        (DELTA_MAGIC, &named),
        header,
        local,
        Summaries::Pieces(summaries),
    )
}

/// One file of the layout: `magic`, then the preamble's `extra` bytes after the sections'
/// lengths and checksums, then the sections.
fn write_file(
    path: &Path,
    (magic, extra): (&[u8; 8], &[u8]),
    header: &Header,
    local: &[&[u8]],
    summaries: Summaries,
) -> io::Result<()> {
    let header = postcard::to_allocvec(header).map_err(io::Error::other)?;
    let mut preamble = Vec::with_capacity(PREAMBLE + extra.len());
    preamble.extend_from_slice(magic);
    preamble.extend_from_slice(&FORMAT.to_le_bytes());
    preamble.extend_from_slice(&0u32.to_le_bytes());
    let (summary_pieces, spilled) = match summaries {
        Summaries::Pieces(pieces) => (pieces, None),
        Summaries::Spilled(spill) => (&[][..], Some(spill.finish()?)),
    };
    for (section, spilled) in [
        (&[&header[..]][..], None),
        (local, None),
        (summary_pieces, spilled.as_ref()),
    ] {
        let (len, sum) = match spilled {
            Some(&(len, sum, _)) => (len, sum),
            None => {
                let mut sum = super::keys::hasher();
                let mut len = 0u64;
                for piece in section {
                    sum.write(piece);
                    len += piece.len() as u64;
                }
                (len, sum.finish())
            }
        };
        preamble.extend_from_slice(&len.to_le_bytes());
        preamble.extend_from_slice(&sum.to_le_bytes());
    }
    preamble.extend_from_slice(extra);
    let pieces: Vec<&[u8]> = [&preamble[..], &header[..]]
        .into_iter()
        .chain(local.iter().chain(summary_pieces).copied())
        .collect();
    write_atomically_then(path, &pieces, spilled.map(|(len, _, file)| (file, len)))
}

/// Writes `pieces` one after the other into a temporary file next to `path`, then renames
/// it over `path`: a reader sees the old file or the new one whole, never a mix.
pub fn write_atomically(path: &Path, pieces: &[&[u8]]) -> io::Result<()> {
    write_atomically_then(path, pieces, None)
}

/// A temporary file's name next to `path`, used by no other writer at the same time.
fn temporary_path(path: &Path) -> PathBuf {
    let directory = path.parent().unwrap_or(Path::new("."));
    directory.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("cache"),
        unique_suffix()
    ))
}

/// [`write_atomically`], with the first `len` bytes of `tail` copied after the pieces.
fn write_atomically_then(
    path: &Path,
    pieces: &[&[u8]],
    tail: Option<(File, u64)>,
) -> io::Result<()> {
    let temporary = temporary_path(path);
    let written = (|| {
        let mut file = io::BufWriter::with_capacity(1 << 20, File::create(&temporary)?);
        for piece in pieces {
            file.write_all(piece)?;
        }
        let mut file = file.into_inner().map_err(|error| error.into_error())?;
        if let Some((tail, len)) = tail {
            // `io::copy` between two files is the kernel's copy where it has one: the
            // bytes are not read into this process.
            let copied = io::copy(&mut tail.take(len), &mut file)?;
            if copied != len {
                return Err(io::Error::other("the spill was cut short"));
            }
        }
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// A name no other writer uses at the same time: the process id and the clock.
fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("{}-{nanos}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(build: &str) -> Header {
        Header {
            build: build.into(),
            settings: 7,
            files: Vec::new(),
            link: Some(LinkRecord {
                key: 3,
                shape: Some(4),
                findings: Vec::new(),
                inert: vec![5, 6],
            }),
        }
    }

    #[test]
    fn a_written_file_reads_back_for_its_build_only_and_says_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        write(
            &path,
            &header("b1"),
            &[b"lo", b"cal"],
            Summaries::Pieces(&[b"summaries"]),
        )
        .unwrap();
        let mut opened = open(&path, "b1").expect("reads back");
        assert_eq!(opened.header.settings, 7);
        assert_eq!(opened.local().base, b"local");
        assert_eq!(opened.summaries().map(|s| s.base), Some(&b"summaries"[..]));
        assert_eq!(opened.header.link.as_ref().map(|link| link.key), Some(3));
        assert_eq!(
            opened.header.link.as_ref().and_then(|link| link.shape),
            Some(4)
        );
        assert_eq!(
            opened.header.link.as_ref().map(|link| &link.inert[..]),
            Some(&[5, 6][..])
        );
        assert!(open(&path, "b2").is_none(), "another build");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_spilled_section_reads_back_as_the_same_pieces_held() {
        let dir = tempfile::tempdir().unwrap();
        let held = dir.path().join("held.bin");
        let spilled = dir.path().join("spilled.bin");
        write(
            &held,
            &header("b1"),
            &[b"local"],
            Summaries::Pieces(&[b"sum", b"maries"]),
        )
        .unwrap();
        let spill = Spill::beside(&spilled).expect("made");
        assert_eq!(spill.append(b"sum"), Some(Span { start: 0, len: 3 }));
        assert_eq!(spill.append(b"maries"), Some(Span { start: 3, len: 6 }));
        assert!(spill.holds());
        write(
            &spilled,
            &header("b1"),
            &[b"local"],
            Summaries::Spilled(&spill),
        )
        .unwrap();
        drop(spill);
        assert_eq!(
            std::fs::read(&held).unwrap(),
            std::fs::read(&spilled).unwrap()
        );
        let mut opened = open(&spilled, "b1").expect("reads back");
        assert_eq!(opened.summaries().map(|s| s.base), Some(&b"summaries"[..]));
        // Neither the spill nor a temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_spill_that_failed_writes_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let spill = Spill::beside(&path).expect("made");
        spill.written.lock().unwrap().failed = true;
        assert_eq!(spill.append(b"summaries"), None);
        assert!(!spill.holds());
        assert!(write(&path, &header("b1"), &[], Summaries::Spilled(&spill)).is_err());
        assert!(open(&path, "b1").is_none());
    }

    fn record(name: u64, stamp: Option<Stamp>, needs_text: bool) -> FileRecord {
        FileRecord {
            name,
            module: u64::MAX,
            stamp,
            content: 3,
            link: 1 << 63,
            shape: 42,
            needs_text,
            local: Span { start: 5, len: 6 },
            summary: Span {
                start: u64::MAX - 1,
                len: 0,
            },
        }
    }

    #[test]
    fn records_read_back_field_for_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let stamp = Stamp {
            size: 12,
            modified: u128::from(u64::MAX) + 7,
        };
        let mut written = header("b1");
        written.files = vec![
            record(1, Some(stamp), true),
            record(2, None, false),
            record(3, Some(stamp), false),
            record(4, None, true),
        ];
        write(&path, &written, &[], Summaries::Pieces(&[])).unwrap();
        let opened = open(&path, "b1").expect("reads back");
        assert_eq!(opened.header.files, written.files);
    }

    #[test]
    fn records_of_the_wrong_width_are_not_read() {
        let bytes = [0u8; fixed_width::RECORD * 2 + 1];
        let mut encoded = postcard::to_allocvec(&bytes[..]).unwrap();
        // A header whose records are those bytes: build, settings, records, no link.
        let mut header_bytes = postcard::to_allocvec(&("b1", 7u64)).unwrap();
        header_bytes.append(&mut encoded);
        header_bytes.push(0);
        assert!(postcard::from_bytes::<Header>(&header_bytes).is_err());
        let whole = [0u8; fixed_width::RECORD * 2];
        let mut header_bytes = postcard::to_allocvec(&("b1", 7u64)).unwrap();
        header_bytes.append(&mut postcard::to_allocvec(&whole[..]).unwrap());
        header_bytes.push(0);
        let read = postcard::from_bytes::<Header>(&header_bytes).expect("two records");
        assert_eq!(read.files.len(), 2);
    }

    #[test]
    fn damaged_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        write(
            &path,
            &header("b1"),
            &[b"lo", b"cal"],
            Summaries::Pieces(&[b"summaries"]),
        )
        .unwrap();
        let whole = std::fs::read(&path).unwrap();
        let mut damaged: Vec<Vec<u8>> = vec![
            whole[..whole.len() - 1].to_vec(),
            [&whole[..], b"x"].concat(),
            b"garbage".to_vec(),
            Vec::new(),
        ];
        let mut wrong_magic = whole.clone();
        wrong_magic[0] = b'X';
        damaged.push(wrong_magic);
        let mut flipped_local = whole.clone();
        let at = whole.len() - b"summaries".len() - 2;
        flipped_local[at] ^= 1;
        damaged.push(flipped_local);
        for bytes in damaged {
            std::fs::write(&path, &bytes).unwrap();
            assert!(open(&path, "b1").is_none(), "{bytes:?}");
        }
        let mut flipped_summary = whole.clone();
        *flipped_summary.last_mut().unwrap() ^= 1;
        std::fs::write(&path, &flipped_summary).unwrap();
        let mut opened = open(&path, "b1").expect("the first sections check out");
        assert!(opened.summaries().is_none());
    }

    fn in_delta(start: u64, len: u64) -> Span {
        Span {
            start: start | Span::IN_DELTA,
            len,
        }
    }

    #[test]
    fn a_delta_is_read_over_its_base_and_its_spans_point_into_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        write(
            &path,
            &header("b1"),
            &[b"local"],
            Summaries::Pieces(&[b"summaries"]),
        )
        .unwrap();
        let base = open(&path, "b1").expect("the base").base();
        let mut newer = header("b1");
        newer.settings = 8;
        write_delta(&path, base, &newer, &[b"LOCAL"], &[b"NEW"]).unwrap();
        let mut opened = open(&path, "b1").expect("reads back");
        // The delta's header, not the base's.
        assert_eq!(opened.header.settings, 8);
        let local = opened.local();
        assert_eq!(local.get(Span { start: 1, len: 3 }), Some(&b"oca"[..]));
        assert_eq!(local.get(in_delta(1, 3)), Some(&b"OCA"[..]));
        assert_eq!(local.get(in_delta(4, 2)), None, "past the delta's section");
        assert_eq!(
            opened.summary_unchecked(in_delta(0, 3)),
            Some(b"NEW".to_vec())
        );
        assert_eq!(
            opened.summary_unchecked(Span { start: 0, len: 3 }),
            Some(b"sum".to_vec())
        );
        assert_eq!(
            opened.delta_summaries().get(in_delta(1, 2)),
            Some(&b"EW"[..])
        );
        assert_eq!(
            opened.delta_summaries().get(Span { start: 0, len: 1 }),
            None
        );
        let summaries = opened.summaries().expect("checks out");
        assert_eq!(summaries.get(in_delta(0, 3)), Some(&b"NEW"[..]));
        assert_eq!(summaries.get(Span { start: 3, len: 3 }), Some(&b"mar"[..]));
        opened.release_summaries();
        assert!(opened.loaded_summaries().is_none());
        assert_eq!(
            opened
                .summaries()
                .and_then(|s| s.get(Span { start: 3, len: 3 })),
            Some(&b"mar"[..]),
            "read again"
        );
        // The delta is named by the base's data: the same base again keeps it.
        assert_eq!(opened.base(), base);
        assert_eq!(base.data_len(), 5 + 9);
    }

    #[test]
    fn a_delta_over_another_base_or_damaged_or_of_another_build_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        write(
            &path,
            &header("b1"),
            &[b"local"],
            Summaries::Pieces(&[b"summaries"]),
        )
        .unwrap();
        let base = open(&path, "b1").unwrap().base();
        let mut newer = header("b1");
        newer.settings = 8;
        write_delta(&path, base, &newer, &[b"L"], &[b"S"]).unwrap();
        let delta = std::fs::read(delta_path(&path)).unwrap();
        let read_settings = || open(&path, "b1").map(|opened| opened.header.settings);
        assert_eq!(read_settings(), Some(8));

        // Damaged: the base is read as it is.
        let mut damaged: Vec<Vec<u8>> = vec![
            delta[..delta.len() - 1].to_vec(),
            [&delta[..], b"x"].concat(),
            b"garbage".to_vec(),
        ];
        let mut flipped = delta.clone();
        *flipped.last_mut().unwrap() ^= 1;
        damaged.push(flipped);
        let mut wrong_magic = delta.clone();
        wrong_magic[0] = b'X';
        damaged.push(wrong_magic);
        for bytes in damaged {
            std::fs::write(delta_path(&path), &bytes).unwrap();
            assert_eq!(read_settings(), Some(7), "{bytes:?}");
        }

        // Written by another build over the same base.
        write_delta(&path, base, &header("b2"), &[b"L"], &[b"S"]).unwrap();
        assert_eq!(read_settings(), Some(7));

        // Over another base: a base written anew with other data.
        std::fs::write(delta_path(&path), &delta).unwrap();
        assert_eq!(read_settings(), Some(8));
        write(
            &path,
            &header("b1"),
            &[b"local!"],
            Summaries::Pieces(&[b"summaries"]),
        )
        .unwrap();
        assert!(
            !delta_path(&path).exists(),
            "a full write removes the delta"
        );
        std::fs::write(delta_path(&path), &delta).unwrap();
        assert_eq!(read_settings(), Some(7));
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
