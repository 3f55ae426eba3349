//! XLSX mutations: an XLSX is a zip of XML parts, and both layers are attacked.
//!
//! The seed's parts are read with the `zip` crate; the mutated archive is written here by hand,
//! because the interesting archives are the ones no zip library would write: duplicate entry
//! names, declared sizes that lie, unknown compression methods, cut-off data.

use std::io::{Read, Write};

use crate::mutate::{self, INTERESTING_NUMBERS, Rng};

/// One part of the archive.
#[derive(Clone)]
pub struct Entry {
    pub name: String,
    pub data: Vec<u8>,
}

/// The parts of an XLSX, or `None` when it is not a readable zip.
pub fn read_entries(bytes: &[u8]) -> Option<Vec<Entry>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let mut data = Vec::new();
        f.read_to_end(&mut data).ok()?;
        out.push(Entry {
            name: f.name().ok()?.into_owned(),
            data,
        });
    }
    Some(out)
}

/// A mutated XLSX made from the parts of a valid one.
pub fn mutate(rng: &mut Rng, mut entries: Vec<Entry>, others: &[&[u8]]) -> Vec<u8> {
    // Excel writes text to a shared-strings part, which the seeds lack: make one half the time,
    // and often give it the counts a reader may allocate by.
    if rng.chance(1, 2) && to_shared_strings(&mut entries) {
        rng.note("shared-strings");
        if rng.chance(1, 2)
            && let Some(sst) = entries
                .iter_mut()
                .find(|e| e.name == "xl/sharedStrings.xml")
            && let Ok(mut text) = String::from_utf8(sst.data.clone())
        {
            let n = *rng.pick(INTERESTING_NUMBERS);
            let attr = *rng.pick(&["uniqueCount=\"", "count=\""]);
            replace_attr(rng, &mut text, attr, n);
            rng.note(format!("sst:{attr}{n}"));
            sst.data = text.into_bytes();
        }
    }
    let xml_rounds = rng.below(4);
    for _ in 0..xml_rounds {
        let xml: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].name.ends_with(".xml") || entries[i].name.ends_with(".rels"))
            .collect();
        if xml.is_empty() {
            break;
        }
        // Favour the parts the reader trusts most: the sheet and the shared strings.
        let i = match entries.iter().position(|e| {
            e.name.contains(if rng.chance(1, 2) {
                "sharedStrings"
            } else {
                "sheet1"
            })
        }) {
            Some(i) if rng.chance(2, 3) => i,
            _ => *rng.pick(&xml),
        };
        let name = entries[i].name.clone();
        mutate_xml(rng, &name, &mut entries[i].data, others);
    }
    let mut plan = ZipPlan::default();
    if rng.chance(2, 3) {
        zip_level(rng, &mut entries, &mut plan);
    }
    let mut out = write_zip(rng, &entries, &plan);
    if rng.chance(1, 5) {
        mutate::bytes(rng, &mut out, others, 3);
    }
    out
}

/// Moves the first sheet's inline strings into `xl/sharedStrings.xml`, as Excel stores them;
/// returns whether there were any.
fn to_shared_strings(entries: &mut Vec<Entry>) -> bool {
    const OPEN: &str = "t=\"inlineStr\"><is>";
    if entries.iter().any(|e| e.name == "xl/sharedStrings.xml") {
        return false;
    }
    let Some(sheet) = entries
        .iter_mut()
        .find(|e| e.name == "xl/worksheets/sheet1.xml")
    else {
        return false;
    };
    let Ok(text) = String::from_utf8(sheet.data.clone()) else {
        return false;
    };
    let mut out = String::with_capacity(text.len());
    let mut strings: Vec<String> = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(OPEN) {
        let Some(end) = rest[at..].find("</is>") else {
            break;
        };
        let inner = &rest[at + OPEN.len()..at + end];
        let value = inner
            .find('>')
            .and_then(|o| inner.rfind("</t>").map(|c| inner[o + 1..c].to_string()))
            .unwrap_or_default();
        out.push_str(&rest[..at]);
        out.push_str(&format!("t=\"s\"><v>{}</v>", strings.len()));
        strings.push(value);
        rest = &rest[at + end + "</is>".len()..];
    }
    out.push_str(rest);
    if strings.is_empty() {
        return false;
    }
    sheet.data = out.into_bytes();
    let n = strings.len();
    let items: String = strings
        .iter()
        .map(|t| format!("<si><t>{t}</t></si>"))
        .collect();
    entries.push(Entry {
        name: "xl/sharedStrings.xml".into(),
        data: format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{n}\" uniqueCount=\"{n}\">{items}</sst>"
        )
        .into_bytes(),
    });
    true
}

/// Mutations of one XML part, by meaning first and by bytes sometimes.
fn mutate_xml(rng: &mut Rng, name: &str, data: &mut Vec<u8>, others: &[&[u8]]) {
    let Ok(mut text) = String::from_utf8(data.clone()) else {
        mutate::bytes(rng, data, others, 4);
        return;
    };
    let what = rng.below(11);
    match what {
        0 => {
            // Counts the reader may allocate by.
            let attr = *rng.pick(&["uniqueCount=\"", "count=\""]);
            let n = *rng.pick(INTERESTING_NUMBERS);
            let done = replace_attr(rng, &mut text, attr, n);
            rng.note(format!("xml:{name}:{attr}{n}:{done}"));
        }
        1 => {
            // A cell at the sheet's far corner, or a dimension that claims it.
            let far = *rng.pick(&[
                "XFD1048576",
                "XFD1",
                "A1048576",
                "ZZZZZ99999999",
                "A0",
                "1A",
                "",
            ]);
            let done = if rng.chance(1, 2) {
                replace_attr(rng, &mut text, "r=\"", far)
            } else {
                replace_attr(rng, &mut text, "ref=\"", &format!("A1:{far}"))
            };
            rng.note(format!("xml:{name}:ref={far}:{done}"));
        }
        2 => {
            // A shared-string index or a number that is huge, negative or 2^64-1.
            let n = *rng.pick(INTERESTING_NUMBERS);
            let done = mutate::replace_one(rng, &mut text, "<v>", &format!("<v>{n}"));
            rng.note(format!("xml:{name}:<v>{n}:{done}"));
        }
        3 => {
            // Any number anywhere in the part.
            let mut bytes = text.into_bytes();
            if let Some((s, e)) = mutate::digit_run(rng, &bytes) {
                let n = *rng.pick(INTERESTING_NUMBERS);
                bytes.splice(s..e, n.bytes());
                rng.note(format!("xml:{name}:number@{s}={n}"));
            }
            *data = bytes;
            return;
        }
        4 => {
            // Deep nesting.
            let depth = *rng.pick(&[100, 10_000, 100_000]);
            let tag = *rng.pick(&["<si>", "<r>", "<t>", "<c>", "<row>", "<x>"]);
            let close = tag.replace('<', "</");
            let deep = format!("{}{}", tag.repeat(depth), close.repeat(depth));
            let at = text
                .find("<si>")
                .or_else(|| text.find("<row"))
                .unwrap_or(text.len() / 2);
            let at = floor_boundary(&text, at);
            text.insert_str(at, &deep);
            rng.note(format!("xml:{name}:nest{tag}x{depth}"));
        }
        5 => {
            // Entities: a DOCTYPE with internal and external entities and an expansion bomb.
            let doctype = *rng.pick(&[
                "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]>",
                "<!DOCTYPE x [<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>",
                "<!DOCTYPE x SYSTEM \"http://example.invalid/x.dtd\">",
            ]);
            let at = text.find("?>").map_or(0, |i| i + 2);
            text.insert_str(at, doctype);
            let entity = *rng.pick(&[
                "&e;",
                "&ext;",
                "&undefined;",
                "&#0;",
                "&#xFFFFFFFF;",
                "&#1114112;",
            ]);
            mutate::replace_one(rng, &mut text, "<t>", &format!("<t>{entity}"));
            mutate::replace_one(
                rng,
                &mut text,
                "<t xml:space=\"preserve\">",
                &format!("<t>{entity}"),
            );
            rng.note(format!("xml:{name}:entity{entity}"));
        }
        6 => {
            // A very long string or many rows.
            let n = *rng.pick(&[10_000usize, 1_000_000]);
            let done = mutate::replace_one(rng, &mut text, "<t>", &format!("<t>{}", "Я".repeat(n)));
            rng.note(format!("xml:{name}:long-text{n}:{done}"));
        }
        7 => {
            // Cell types the reader may not expect.
            let t = *rng.pick(&[
                "t=\"s\"",
                "t=\"e\"",
                "t=\"b\"",
                "t=\"d\"",
                "t=\"inlineStr\"",
                "t=\"str\"",
                "t=\"n\"",
                "t=\"?\"",
            ]);
            let done = replace_attr_whole(rng, &mut text, "t=\"", t);
            rng.note(format!("xml:{name}:{t}:{done}"));
        }
        8 => {
            // Break the XML: cut a tag, drop a closing tag, unbalanced quotes.
            let at = floor_boundary(&text, rng.below(text.len() + 1));
            let junk = *rng.pick(&[
                "<",
                "</",
                "\"",
                "]]>",
                "<![CDATA[",
                "<?",
                "\u{0}",
                "</worksheet>",
            ]);
            text.insert_str(at, junk);
            rng.note(format!("xml:{name}:junk@{at}"));
        }
        9 => {
            // A shared-strings part with huge declared counts and no strings.
            if name.contains("sharedStrings") {
                let n = *rng.pick(INTERESTING_NUMBERS);
                text = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{n}\" uniqueCount=\"{n}\"></sst>"
                );
                rng.note(format!("xml:{name}:empty-sst{n}"));
            }
        }
        _ => {
            let mut bytes = text.into_bytes();
            mutate::bytes(rng, &mut bytes, others, 4);
            *data = bytes;
            return;
        }
    }
    *data = text.into_bytes();
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Replaces the value of one `attr="…"` (attr given with its `="`) with `value`.
fn replace_attr(rng: &mut Rng, text: &mut String, attr: &str, value: &str) -> bool {
    let hits: Vec<usize> = text.match_indices(attr).map(|(i, _)| i).collect();
    if hits.is_empty() {
        return false;
    }
    let start = *rng.pick(&hits) + attr.len();
    let Some(len) = text[start..].find('"') else {
        return false;
    };
    text.replace_range(start..start + len, value);
    true
}

/// Replaces one whole `attr="…"` with `with`.
fn replace_attr_whole(rng: &mut Rng, text: &mut String, attr: &str, with: &str) -> bool {
    let hits: Vec<usize> = text.match_indices(attr).map(|(i, _)| i).collect();
    if hits.is_empty() {
        return false;
    }
    let start = *rng.pick(&hits);
    let Some(len) = text[start + attr.len()..].find('"') else {
        return false;
    };
    text.replace_range(start..start + attr.len() + len + 1, with);
    true
}

/// How the archive is to be written wrongly.
#[derive(Default)]
pub struct ZipPlan {
    /// Entries written with the stored (0) method instead of deflate.
    pub stored: Vec<bool>,
    /// Per entry: a compression method to declare instead of the real one.
    pub method: Vec<Option<u16>>,
    /// Per entry: an uncompressed size to declare instead of the real one.
    pub declared_size: Vec<Option<u32>>,
    /// Per entry: a compressed size to declare instead of the real one.
    pub declared_compressed: Vec<Option<u32>>,
    /// Per entry: a CRC to declare instead of the real one.
    pub crc: Vec<Option<u32>>,
    /// Where to cut the finished archive.
    pub truncate_at: Option<f64>,
    /// Leave out the central directory's entry count consistency.
    pub eocd_count: Option<u16>,
}

fn zip_level(rng: &mut Rng, entries: &mut Vec<Entry>, plan: &mut ZipPlan) {
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        if entries.is_empty() {
            break;
        }
        let i = rng.below(entries.len());
        match rng.below(9) {
            0 => {
                let name = *rng.pick(&[
                    "xl/worksheets/sheet1.xml",
                    "xl/sharedStrings.xml",
                    "xl/workbook.xml",
                    "XL/WORKBOOK.XML",
                    "xl/_rels/workbook.xml.rels",
                    "[Content_Types].xml",
                    "../../evil.xml",
                    "/abs.xml",
                    "",
                    "xl/worksheets/sheet1.xml/",
                ]);
                rng.note(format!("zip:rename:{}->{name}", entries[i].name));
                entries[i].name = name.to_string();
            }
            1 => {
                rng.note(format!("zip:duplicate:{}", entries[i].name));
                let mut copy = entries[i].clone();
                if rng.chance(1, 2) {
                    copy.data = b"<?xml version=\"1.0\"?><sst count=\"1\" uniqueCount=\"1\"><si><t>dup</t></si></sst>".to_vec();
                }
                let at = rng.below(entries.len() + 1);
                entries.insert(at, copy);
            }
            2 => {
                rng.note(format!("zip:drop:{}", entries[i].name));
                entries.remove(i);
            }
            3 => {
                // A bomb: a part that inflates to far more than the archive's size.
                let mb = *rng.pick(&[8usize, 64, 256]);
                let body = if rng.chance(1, 2) {
                    // Shared strings that inflate to `mb` MB.
                    let one = "<si><t>ААААААААААААААААААААААААААААААААААААААААААААААААААААААААААААААА</t></si>";
                    let n = mb * 1024 * 1024 / one.len();
                    format!(
                        "<?xml version=\"1.0\"?><sst count=\"{n}\" uniqueCount=\"{n}\">{}</sst>",
                        one.repeat(n)
                    )
                    .into_bytes()
                } else {
                    vec![b' '; mb * 1024 * 1024]
                };
                rng.note(format!("zip:bomb{mb}MB:{}", entries[i].name));
                entries[i].data = body;
            }
            _ => {}
        }
    }
    let n = entries.len();
    plan.stored = (0..n).map(|_| rng.chance(1, 4)).collect();
    plan.method = vec![None; n];
    plan.declared_size = vec![None; n];
    plan.declared_compressed = vec![None; n];
    plan.crc = vec![None; n];
    if n == 0 {
        return;
    }
    let i = rng.below(n);
    match rng.below(6) {
        0 => {
            let m = *rng.pick(&[1u16, 6, 9, 12, 14, 93, 95, 99, 0xFFFF]);
            plan.method[i] = Some(m);
            rng.note(format!("zip:method{m}@{i}"));
        }
        1 => {
            let s = *rng.pick(&[0u32, 1, 100, 0x7FFF_FFFF, 0xFFFF_FFFF]);
            plan.declared_size[i] = Some(s);
            rng.note(format!("zip:declared-size{s}@{i}"));
        }
        2 => {
            let s = *rng.pick(&[0u32, 1, 0x7FFF_FFFF, 0xFFFF_FFFF]);
            plan.declared_compressed[i] = Some(s);
            rng.note(format!("zip:declared-compressed{s}@{i}"));
        }
        3 => {
            plan.crc[i] = Some(rng.u64() as u32);
            rng.note(format!("zip:crc@{i}"));
        }
        4 => {
            let at = (rng.below(1000) as f64) / 1000.0;
            plan.truncate_at = Some(at);
            rng.note(format!("zip:truncate{at}"));
        }
        _ => {
            let c = *rng.pick(&[0u16, 1, 0xFFFF]);
            plan.eocd_count = Some(c);
            rng.note(format!("zip:eocd-count{c}"));
        }
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Writes `entries` as a zip archive, wrong in the ways `plan` says.
pub fn write_zip(rng: &mut Rng, entries: &[Entry], plan: &ZipPlan) -> Vec<u8> {
    let _ = rng;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let stored = plan.stored.get(i).copied().unwrap_or(false);
        let body = if stored {
            e.data.clone()
        } else {
            deflate(&e.data)
        };
        let real_method: u16 = if stored { 0 } else { 8 };
        let method = plan.method.get(i).copied().flatten().unwrap_or(real_method);
        let crc = plan
            .crc
            .get(i)
            .copied()
            .flatten()
            .unwrap_or_else(|| crc32fast::hash(&e.data));
        let size = plan
            .declared_size
            .get(i)
            .copied()
            .flatten()
            .unwrap_or(e.data.len() as u32);
        let csize = plan
            .declared_compressed
            .get(i)
            .copied()
            .flatten()
            .unwrap_or(body.len() as u32);
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&csize.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(name);
        out.extend_from_slice(&body);
        // Central directory header.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&20u16.to_le_bytes()); // version needed
        central.extend_from_slice(&0u16.to_le_bytes()); // flags
        central.extend_from_slice(&method.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes()); // time, date
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&csize.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 4]); // extra, comment
        central.extend_from_slice(&[0; 4]); // disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    let count = plan.eocd_count.unwrap_or(entries.len() as u16);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    if let Some(at) = plan.truncate_at {
        out.truncate((out.len() as f64 * at) as usize);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_strings_moved_to_shared_strings_read_the_same() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/standards/sample.xlsx");
        let bytes = std::fs::read(&fixture).expect("sample.xlsx");
        let mut entries = read_entries(&bytes).expect("entries");
        assert!(
            to_shared_strings(&mut entries),
            "the sample has inline strings"
        );
        let mut rng = Rng::for_case(1, "xlsx", 0);
        let rebuilt = write_zip(&mut rng, &entries, &ZipPlan::default());
        let before = storecheck_core::import::parse_standard("sample.xlsx", &bytes).expect("seed");
        let after = storecheck_core::import::parse_standard("sample.xlsx", &rebuilt)
            .expect("the same standard with shared strings");
        assert_eq!(
            before, after,
            "the conversion must keep the standard, so mutations start from a valid file"
        );
    }

    #[test]
    fn an_archive_written_without_mutations_reads_back_the_same() {
        let entries = vec![
            Entry {
                name: "[Content_Types].xml".into(),
                data: b"<Types/>".to_vec(),
            },
            Entry {
                name: "xl/sharedStrings.xml".into(),
                data: "<sst><si><t>Приветствие</t></si></sst>"
                    .repeat(50)
                    .into_bytes(),
            },
        ];
        let mut rng = Rng::for_case(1, "xlsx", 0);
        let plan = ZipPlan {
            stored: vec![false, true],
            ..ZipPlan::default()
        };
        let bytes = write_zip(&mut rng, &entries, &plan);
        let back = read_entries(&bytes).expect("the zip crate reads what the writer wrote");
        let names: Vec<_> = back.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["[Content_Types].xml", "xl/sharedStrings.xml"]);
        assert_eq!(
            back[1].data, entries[1].data,
            "mutations start from a faithful archive"
        );
    }
}
