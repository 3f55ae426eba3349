//! The zip archive of an XLSX file, checked before any spreadsheet reader sees it.
//!
//! An XLSX file is a zip archive of XML files, and the 20 MB file limit says nothing about
//! what those inflate to: a 1 MB file can unpack to gigabytes. So the archive is opened here
//! first, every entry's declared size and compression ratio is checked, each entry is then
//! inflated through a reader that stops one byte past what its header declared (a header that
//! lies is caught while reading, not after), and the shared-string table's `uniqueCount`,
//! which the spreadsheet reader would reserve memory for on trust, is neutralised. What comes
//! out is an archive whose entries are known to inflate to at most [`MAX_INFLATED_BYTES`].

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use zip::ZipArchive;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::error::{ImportProblem, Location, Problem};

/// At most this many entries in the archive (Excel writes about a dozen, a workbook with
/// pictures a few dozen).
pub const MAX_ENTRIES: usize = 1_000;

/// All entries together inflate to at most this (the largest standard the limits allow takes
/// under 25 MB of XML).
pub const MAX_INFLATED_BYTES: u64 = 64 * 1024 * 1024;

/// An entry larger than [`RATIO_FLOOR`] may inflate to at most this many times its packed size
/// (spreadsheet XML packs 5 to 30 times; zip bombs about 1,000).
pub const MAX_RATIO: u64 = 100;

/// Entries smaller than this are not held to [`MAX_RATIO`].
const RATIO_FLOOR: u64 = 1024 * 1024;

/// Checks the archive and returns a copy that is safe to hand to the spreadsheet reader.
pub(super) fn checked_xlsx(bytes: &[u8]) -> Result<Vec<u8>, Problem> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e))?;
    if zip.len() > MAX_ENTRIES {
        return Err(Problem::file(ImportProblem::TooManyArchiveEntries {
            entries: zip.len(),
        }));
    }

    // Before inflating anything: what the headers declare.
    let mut declared_total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| not_xlsx(&e))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let size = entry.size();
        declared_total = declared_total.saturating_add(size);
        if declared_total > MAX_INFLATED_BYTES {
            return Err(too_big(&name));
        }
        if size > RATIO_FLOOR && size / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(Problem::at(
                Location::Entry(name.clone()),
                ImportProblem::PacksTooTightly {
                    ratio: size / entry.compressed_size().max(1),
                    bytes: size,
                },
            ));
        }
    }

    // Inflating, never past what each header declared.
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let mut inflated_total = 0u64;
    for i in 0..zip.len() {
        let (name, data) = {
            let mut entry = zip.by_index(i).map_err(|e| not_xlsx(&e))?;
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
            let declared = entry.size();
            let mut data = Vec::new();
            let read = (&mut entry)
                .take(declared.saturating_add(1))
                .read_to_end(&mut data);
            // The zip reader fails as soon as an entry inflates past its declared size; the
            // `take` stops one byte later should it ever not.
            let past_declared = match &read {
                Ok(_) => data.len() as u64 > declared,
                Err(e) => e.to_string().contains("larger than its declared"),
            };
            if let (Err(e), false) = (&read, past_declared) {
                return Err(damaged(&name, e));
            }
            if past_declared {
                return Err(Problem::at(
                    Location::Entry(name.clone()),
                    ImportProblem::InflatesPastHeader { declared },
                ));
            }
            (name, data)
        };
        inflated_total += data.len() as u64;
        if inflated_total > MAX_INFLATED_BYTES {
            return Err(too_big(&name));
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            let mut data = data;
            neutralise_unique_count(&name, &mut data)?;
            let options =
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            out.start_file(name.as_str(), options)
                .map_err(|e| not_xlsx(&e))?;
            std::io::Write::write_all(&mut out, &data).map_err(|e| damaged(&name, &e))?;
        } else {
            let raw = zip.by_index_raw(i).map_err(|e| not_xlsx(&e))?;
            out.raw_copy_file(raw).map_err(|e| not_xlsx(&e))?;
        }
    }
    out.finish()
        .map(Cursor::into_inner)
        .map_err(|e| not_xlsx(&e))
}

/// Checks the `uniqueCount` attribute of the shared-string table's `<sst>` tag and renames it,
/// so that a reader does not reserve room for the number of strings the file claims (a
/// crafted file claims 10^12 or 2^64 - 1). The attribute is only a hint: the strings are
/// counted as they are read. A count the entry cannot hold (every string takes at least the
/// 5 bytes of `<si/>`) is refused.
fn neutralise_unique_count(name: &str, xml: &mut [u8]) -> Result<(), Problem> {
    let room = xml.len() / 5;
    let mut reader = quick_xml::Reader::from_reader(&xml[..]);
    let mut before = 0usize;
    let span = loop {
        let event = reader.read_event();
        let after = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                let claimed = e
                    .try_get_attribute("uniqueCount")
                    .ok()
                    .flatten()
                    .map(|a| a.value.to_string());
                if let Some(claimed) = claimed
                    && claimed
                        .trim()
                        .parse::<u64>()
                        .map_or(true, |n| n > room as u64)
                {
                    return Err(Problem::at(
                        Location::Entry(name.to_string()),
                        ImportProblem::TextTableClaim { claimed, room },
                    ));
                }
                break Some((before, after.min(xml.len())));
            }
            Ok(Event::Eof) | Err(_) => break None,
            Ok(_) => before = after,
        }
    };
    let Some(tag) = span.and_then(|(start, end)| xml.get_mut(start..end)) else {
        return Ok(());
    };
    const ATTRIBUTE: &[u8] = b"uniqueCount";
    let mut i = 0;
    while let Some(p) = tag
        .get(i..)
        .and_then(|rest| rest.windows(ATTRIBUTE.len()).position(|w| w == ATTRIBUTE))
    {
        // `uniqueCount` becomes `uniqueCounX`: same length, an attribute nobody reads.
        tag[i + p + ATTRIBUTE.len() - 1] = b'X';
        i += p + ATTRIBUTE.len();
    }
    Ok(())
}

fn not_xlsx(e: &dyn std::fmt::Display) -> Problem {
    Problem::file(ImportProblem::NotXlsx {
        detail: e.to_string(),
    })
}

fn damaged(name: &str, e: &dyn std::fmt::Display) -> Problem {
    Problem::at(
        Location::Entry(name.to_string()),
        ImportProblem::EntryDamaged {
            detail: e.to_string(),
        },
    )
}

fn too_big(name: &str) -> Problem {
    Problem::at(
        Location::Entry(name.to_string()),
        ImportProblem::InflatesTooFar,
    )
}

#[cfg(test)]
mod tests {
    use super::neutralise_unique_count;

    #[test]
    fn unique_count_is_renamed_only_in_the_sst_tag() {
        let mut xml = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<sst xmlns=\"x\" count=\"1\" uniqueCount=\"1\"><si><t>uniqueCount</t></si></sst>".to_vec();
        neutralise_unique_count("sharedStrings.xml", &mut xml).expect("a count that fits");
        let text = String::from_utf8_lossy(&xml);
        assert!(
            text.contains("uniqueCounX=\"1\""),
            "the claimed count must no longer be read: {text}"
        );
        assert!(
            text.contains("<t>uniqueCount</t>"),
            "a shared string that happens to say uniqueCount must stay as written: {text}"
        );
    }

    #[test]
    fn a_count_the_table_cannot_hold_is_refused() {
        for claimed in ["1000000000000", "18446744073709551615", "-1", "many"] {
            let mut xml =
                format!("<sst uniqueCount=\"{claimed}\"><si><t>a</t></si></sst>").into_bytes();
            let refused = super::neutralise_unique_count("xl/sharedStrings.xml", &mut xml)
                .expect_err("a count larger than the entry can hold is a crafted file");
            let text = refused.text(crate::i18n::Lang::En);
            assert!(
                text.contains(claimed),
                "the message names the claim: {text}"
            );
        }
    }
}
