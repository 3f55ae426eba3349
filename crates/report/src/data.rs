//! The audit's data a signed report carries: the JSON file `storecheck-audit.json`
//! ([`SignedAuditData`]) embedded in the PDF before it is signed, so that the signature covers
//! it and the PDF alone is enough to import the audit.
//!
//! [`embedded_data`] reads it back from the revision the first signature covers (the bytes up
//! to the end of its `/ByteRange`), never from what was appended later: an incremental update
//! after the signature could add or swap an embedded file without breaking the signature. It
//! follows the catalog's `/Names /EmbeddedFiles` name tree to the file named
//! [`SIGNED_DATA_FILE`], decompresses it (with a limit) and parses it. It does not check the
//! signature: [`crate::verify`] does, and says in [`crate::verify::Verification::data`] whether
//! the data is intact.

use lopdf::{Dictionary, Object, ObjectId};
use serde::{Deserialize, Serialize};
use storecheck_core::Lang;
use storecheck_core::i18n::Text;
use storecheck_core::record::{RECORD_FORMAT, SIGNED_DATA_FILE, SignedAuditData};
use ts_rs::TS;

use crate::verify::signatures_in;

/// The most bytes the embedded JSON may take once decompressed. A real audit's is tens of
/// kilobytes; the limit keeps a hostile file from exhausting memory.
const MAX_DATA_BYTES: usize = 16 * 1024 * 1024;
/// How deep the name tree may go, and how many of its nodes are read.
const MAX_TREE_DEPTH: usize = 16;
const MAX_TREE_NODES: usize = 4096;

/// Why the audit's data in a report cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// The PDF has no signature, so no revision of it is signed.
    #[error("the PDF carries no signature, so no data in it is signed")]
    Unsigned,
    /// The revision the signature covers cannot be found or read.
    #[error("the revision the signature covers cannot be read ({0})")]
    Revision(String),
    /// The embedded file is there but is not data StoreCheck wrote.
    #[error("the embedded {SIGNED_DATA_FILE} is damaged ({0})")]
    Damaged(String),
    /// Written by a newer StoreCheck, in a format this one does not know.
    #[error(
        "the audit's data is in format {found}, newer than format {RECORD_FORMAT} this StoreCheck reads; update StoreCheck to read it"
    )]
    Newer { found: u32 },
}

impl Text for DataError {
    fn text(&self, lang: Lang) -> String {
        match self {
            DataError::Unsigned => lang.pick(
                self.to_string(),
                "в PDF нет подписи, поэтому ни одни данные в нём не подписаны",
            ),
            DataError::Revision(why) => lang.pick(
                self.to_string(),
                format!("не читается редакция, которую охватывает подпись ({why})"),
            ),
            DataError::Damaged(why) => lang.pick(
                self.to_string(),
                format!("вложенный файл {SIGNED_DATA_FILE} повреждён ({why})"),
            ),
            DataError::Newer { found } => lang.pick(
                self.to_string(),
                format!(
                    "данные проверки записаны в формате {found}, более новом, чем формат {RECORD_FORMAT}, который читает эта версия StoreCheck; обновите StoreCheck"
                ),
            ),
        }
    }
}

/// What a report carries of its audit's data, as verifying it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DataStatus {
    /// The signed revision carries the data, it reads, its signature is valid, and the file
    /// as a reader sees it carries the same.
    Intact,
    /// No audit data, signed or not (reports signed before reports carried it have none).
    Absent,
    /// The file as a reader sees it carries audit data other than the signed revision's (added,
    /// replaced or removed after signing): the signature does not cover what is shown.
    NotCovered,
    /// The signed revision carries the data, but it cannot be read (damaged, or in a newer
    /// format).
    Unreadable,
    /// The signed revision carries the data, but the signature over it is not valid, so it may
    /// have been changed.
    Unverified,
}

/// The audit's data in a signed report, read from the revision its first signature covers;
/// none when that revision carries no [`SIGNED_DATA_FILE`]. The signature is not checked here:
/// see [`crate::verify::verify_pdf`] and its `data`.
///
/// Errors: [`DataError::Unsigned`] for a PDF without a signature; [`DataError::Revision`] when
/// the signed revision cannot be read; [`DataError::Damaged`] when the file is there but cannot
/// be decompressed or is not the data StoreCheck writes; [`DataError::Newer`] for a format
/// newer than [`RECORD_FORMAT`].
pub fn embedded_data(pdf: &[u8]) -> Result<Option<SignedAuditData>, DataError> {
    let doc = lopdf::Document::load_mem(signed_revision(pdf)?)
        .map_err(|e| DataError::Revision(e.to_string()))?;
    match lookup(&doc) {
        Lookup::None => Ok(None),
        Lookup::Broken(why) => Err(DataError::Damaged(why)),
        Lookup::File(stream) => parse(&decode(stream)?).map(Some),
    }
}

/// The bytes up to the end of the first signature's `/ByteRange`: the revision it signs.
pub(crate) fn signed_revision(pdf: &[u8]) -> Result<&[u8], DataError> {
    let found = signatures_in(pdf).map_err(|n| {
        DataError::Revision(format!("the /ByteRange of signature {n} is unreadable"))
    })?;
    let first = found.first().ok_or(DataError::Unsigned)?;
    let end = first.end();
    if first.range[0] != 0 || end == 0 || end > pdf.len() {
        return Err(DataError::Revision(
            "its /ByteRange does not end within the file".into(),
        ));
    }
    Ok(&pdf[..end])
}

/// What a document's `/EmbeddedFiles` holds under [`SIGNED_DATA_FILE`].
pub(crate) enum Lookup<'a> {
    None,
    File(&'a lopdf::Stream),
    /// There is an entry, or something in its way, that cannot be read as an embedded file.
    Broken(String),
}

impl Lookup<'_> {
    /// Whether two documents hold the same data file (or the same lack or fault of one).
    pub(crate) fn same(&self, other: &Lookup<'_>) -> bool {
        match (self, other) {
            (Lookup::None, Lookup::None) => true,
            (Lookup::Broken(x), Lookup::Broken(y)) => x == y,
            (Lookup::File(x), Lookup::File(y)) => {
                (x.dict == y.dict && x.content == y.content)
                    || matches!((decode(x), decode(y)), (Ok(a), Ok(b)) if a == b)
            }
            _ => false,
        }
    }
}

/// The stream of [`SIGNED_DATA_FILE`] in the document's `/Names /EmbeddedFiles` name tree.
pub(crate) fn lookup(doc: &lopdf::Document) -> Lookup<'_> {
    let broken = |why: &str| Lookup::Broken(why.to_string());
    let Ok(root) = doc.trailer.get(b"Root") else {
        return broken("the document has no catalog");
    };
    let Some(catalog) = dict(doc, root) else {
        return broken("the document's catalog is not a dictionary");
    };
    let Ok(names) = catalog.get(b"Names") else {
        return Lookup::None;
    };
    let Some(names) = dict(doc, names) else {
        return broken("the catalog's /Names is not a dictionary");
    };
    let Ok(tree) = names.get(b"EmbeddedFiles") else {
        return Lookup::None;
    };
    let mut seen = Vec::new();
    let spec = match find_in_tree(doc, tree, 0, &mut seen) {
        Ok(Some(spec)) => spec,
        Ok(None) => return Lookup::None,
        Err(why) => return Lookup::Broken(why),
    };
    let Some(spec) = dict(doc, spec) else {
        return broken("its file specification is not a dictionary");
    };
    let Some(ef) = spec.get(b"EF").ok().and_then(|ef| dict(doc, ef)) else {
        return broken("its file specification has no /EF dictionary");
    };
    let Some(file) = ef.get(b"F").or_else(|_| ef.get(b"UF")).ok() else {
        return broken("its file specification's /EF has no /F");
    };
    match doc.dereference(file) {
        Ok((_, Object::Stream(s))) => Lookup::File(s),
        _ => broken("its /EF /F is not a stream"),
    }
}

/// The dictionary `o` is or refers to.
fn dict<'a>(doc: &'a lopdf::Document, o: &'a Object) -> Option<&'a Dictionary> {
    match doc.dereference(o).ok()?.1 {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// Whether a name tree key is [`SIGNED_DATA_FILE`], written as bytes or as UTF-16BE text.
fn is_data_file(key: &Object) -> bool {
    let Object::String(bytes, _) = key else {
        return false;
    };
    if bytes.as_slice() == SIGNED_DATA_FILE.as_bytes() {
        return true;
    }
    let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) else {
        return false;
    };
    let units: Vec<u16> = utf16
        .chunks(2)
        .map(|p| u16::from_be_bytes([p[0], p.get(1).copied().unwrap_or(0)]))
        .collect();
    String::from_utf16(&units).is_ok_and(|s| s == SIGNED_DATA_FILE)
}

/// The value of [`SIGNED_DATA_FILE`] in the name tree node `node` and its kids.
fn find_in_tree<'a>(
    doc: &'a lopdf::Document,
    node: &'a Object,
    depth: usize,
    seen: &mut Vec<ObjectId>,
) -> Result<Option<&'a Object>, String> {
    if depth > MAX_TREE_DEPTH || seen.len() > MAX_TREE_NODES {
        return Err("its name tree is too deep or too large".into());
    }
    if let Object::Reference(id) = node {
        if seen.contains(id) {
            return Err("its name tree reaches one node twice".into());
        }
        seen.push(*id);
    }
    let node = dict(doc, node).ok_or("a node of its name tree is not a dictionary")?;
    if let Ok(names) = node.get(b"Names") {
        let names = match doc.dereference(names) {
            Ok((_, Object::Array(a))) => a,
            _ => return Err("a node's /Names in its name tree is not an array".into()),
        };
        for pair in names.chunks(2) {
            if let [key, value] = pair
                && is_data_file(key)
            {
                return Ok(Some(value));
            }
        }
    }
    if let Ok(kids) = node.get(b"Kids") {
        let kids = match doc.dereference(kids) {
            Ok((_, Object::Array(a))) => a,
            _ => return Err("a node's /Kids in its name tree is not an array".into()),
        };
        for kid in kids {
            if let Some(found) = find_in_tree(doc, kid, depth + 1, seen)? {
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

/// The file's bytes, decompressed, at most [`MAX_DATA_BYTES`].
fn decode(stream: &lopdf::Stream) -> Result<Vec<u8>, DataError> {
    stream
        .get_plain_content_with_limit(MAX_DATA_BYTES)
        .map_err(|e| DataError::Damaged(format!("it cannot be decompressed: {e}")))
}

/// The data in `json`, unless it is in a newer format than [`RECORD_FORMAT`].
pub(crate) fn parse(json: &[u8]) -> Result<SignedAuditData, DataError> {
    #[derive(Deserialize)]
    struct Head {
        format: u32,
    }
    let head: Head = serde_json::from_slice(json)
        .map_err(|e| DataError::Damaged(format!("it is not JSON with a record format: {e}")))?;
    if head.format > RECORD_FORMAT {
        return Err(DataError::Newer { found: head.format });
    }
    serde_json::from_slice(json)
        .map_err(|e| DataError::Damaged(format!("it is not an audit's data: {e}")))
}

/// What the whole report carries of its audit's data, given whether its first signature (the
/// one over the data) is valid; with the carried audit's id when intact, and why not otherwise.
pub(crate) fn status(
    pdf: &[u8],
    first_signature_valid: bool,
) -> (DataStatus, Option<uuid::Uuid>, Option<DataProblem>) {
    let unreadable = |e| (DataStatus::Unreadable, None, Some(DataProblem::Data(e)));
    let not_covered = (DataStatus::NotCovered, None, Some(DataProblem::NotCovered));
    let revision = match signed_revision(pdf) {
        Ok(r) => r,
        // Nothing is signed: any data the file shows is not covered.
        Err(DataError::Unsigned) => {
            let shown = lopdf::Document::load_mem(pdf)
                .ok()
                .is_some_and(|doc| !matches!(lookup(&doc), Lookup::None));
            return if shown {
                not_covered
            } else {
                (DataStatus::Absent, None, None)
            };
        }
        Err(e) => return unreadable(e),
    };
    let signed = match lopdf::Document::load_mem(revision) {
        Ok(doc) => doc,
        Err(e) => return unreadable(DataError::Revision(e.to_string())),
    };
    let signed_lookup = lookup(&signed);
    // What a reader of the whole file finds must be what was signed. (A file only whose signed
    // revision can be read shows what that revision does.)
    if revision.len() < pdf.len()
        && let Ok(latest) = lopdf::Document::load_mem(pdf)
        && !signed_lookup.same(&lookup(&latest))
    {
        return not_covered;
    }
    let stream = match signed_lookup {
        Lookup::None => return (DataStatus::Absent, None, None),
        _ if !first_signature_valid => {
            return (DataStatus::Unverified, None, Some(DataProblem::Unverified));
        }
        Lookup::Broken(why) => return unreadable(DataError::Damaged(why)),
        Lookup::File(stream) => stream,
    };
    match decode(stream).and_then(|json| parse(&json)) {
        Ok(data) => (DataStatus::Intact, Some(data.audit.id), None),
        Err(e) => unreadable(e),
    }
}

/// Why a report's data is not intact.
pub(crate) enum DataProblem {
    NotCovered,
    Unverified,
    Data(DataError),
}

impl Text for DataProblem {
    fn text(&self, lang: Lang) -> String {
        match self {
            DataProblem::NotCovered => lang.pick(
                format!(
                    "the audit's data ({SIGNED_DATA_FILE}) was added, replaced or removed after signing: the signature does not cover what the file shows"
                ),
                format!(
                    "данные проверки ({SIGNED_DATA_FILE}) добавили, заменили или удалили после подписания: подпись не охватывает то, что показывает файл"
                ),
            ),
            DataProblem::Unverified => lang.pick(
                "the signature over the audit's data is not valid, so the data may have been changed",
                "подпись над данными проверки недействительна, поэтому данные могли изменить",
            ),
            DataProblem::Data(e) => e.text(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document whose catalog's `/Names /EmbeddedFiles` is `tree`.
    fn with_tree(tree: impl FnOnce(&mut lopdf::Document) -> Object) -> lopdf::Document {
        let mut doc = lopdf::Document::with_version("1.7");
        let tree = tree(&mut doc);
        let mut names = Dictionary::new();
        names.set("EmbeddedFiles", tree);
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Names", Object::Dictionary(names));
        let root = doc.add_object(catalog);
        doc.trailer.set("Root", Object::Reference(root));
        doc
    }

    /// A file specification of a stream holding `json`.
    fn spec(doc: &mut lopdf::Document, json: &[u8]) -> Object {
        let file = doc.add_object(lopdf::Stream::new(Dictionary::new(), json.to_vec()));
        let mut ef = Dictionary::new();
        ef.set("F", Object::Reference(file));
        let mut spec = Dictionary::new();
        spec.set("EF", Object::Dictionary(ef));
        Object::Reference(doc.add_object(spec))
    }

    fn leaf(key: Object, value: Object) -> Object {
        let mut d = Dictionary::new();
        d.set("Names", Object::Array(vec![key, value]));
        Object::Dictionary(d)
    }

    fn found(doc: &lopdf::Document) -> Option<Vec<u8>> {
        match lookup(doc) {
            Lookup::File(s) => Some(s.content.clone()),
            _ => None,
        }
    }

    #[test]
    fn the_file_is_found_under_kids_and_by_a_utf16_name() {
        let doc = with_tree(|doc| {
            let other = spec(doc, b"other");
            let ours = spec(doc, b"ours");
            let utf16: Vec<u8> = [0xFE, 0xFF]
                .into_iter()
                .chain(SIGNED_DATA_FILE.encode_utf16().flat_map(u16::to_be_bytes))
                .collect();
            let a = doc.add_object(leaf(Object::string_literal("a.xml"), other));
            let b = doc.add_object(leaf(
                Object::String(utf16, lopdf::StringFormat::Hexadecimal),
                ours,
            ));
            let mut root = Dictionary::new();
            root.set(
                "Kids",
                Object::Array(vec![Object::Reference(a), Object::Reference(b)]),
            );
            Object::Dictionary(root)
        });
        assert_eq!(found(&doc), Some(b"ours".to_vec()));
    }

    #[test]
    fn a_name_tree_that_loops_or_runs_deep_is_refused_not_followed() {
        // A node whose kid is itself.
        let looping = with_tree(|doc| {
            let id = doc.new_object_id();
            let mut node = Dictionary::new();
            node.set("Kids", Object::Array(vec![Object::Reference(id)]));
            doc.objects.insert(id, Object::Dictionary(node));
            Object::Reference(id)
        });
        assert!(matches!(lookup(&looping), Lookup::Broken(_)));
        // A chain of kids deeper than any real tree.
        let deep = with_tree(|doc| {
            let mut node = leaf(Object::string_literal("x"), Object::Null);
            for _ in 0..1000 {
                let id = doc.add_object(node);
                let mut parent = Dictionary::new();
                parent.set("Kids", Object::Array(vec![Object::Reference(id)]));
                node = Object::Dictionary(parent);
            }
            node
        });
        assert!(matches!(lookup(&deep), Lookup::Broken(_)));
        // Neither a stream where the file should be, nor a dictionary where a node should be.
        let not_stream = with_tree(|_| {
            let mut ef = Dictionary::new();
            ef.set("F", Object::Integer(1));
            let mut spec = Dictionary::new();
            spec.set("EF", Object::Dictionary(ef));
            leaf(
                Object::string_literal(SIGNED_DATA_FILE),
                Object::Dictionary(spec),
            )
        });
        assert!(matches!(lookup(&not_stream), Lookup::Broken(_)));
        let not_dict = with_tree(|_| Object::Integer(7));
        assert!(matches!(lookup(&not_dict), Lookup::Broken(_)));
        // No tree at all is no file, not a fault.
        let mut none = lopdf::Document::with_version("1.7");
        let root = none.add_object(Dictionary::new());
        none.trailer.set("Root", Object::Reference(root));
        assert!(matches!(lookup(&none), Lookup::None));
    }

    #[test]
    fn a_newer_format_is_refused_before_its_shape_is_read() {
        let json = format!(
            r#"{{"format":{},"whatever":"comes next"}}"#,
            RECORD_FORMAT + 1
        );
        assert_eq!(
            parse(json.as_bytes()).err(),
            Some(DataError::Newer {
                found: RECORD_FORMAT + 1
            })
        );
        assert!(matches!(parse(b"[]"), Err(DataError::Damaged(_))));
    }
}
