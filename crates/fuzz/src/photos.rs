//! Target `photos`: JPEG, PNG and WebP through what `audit photo` runs (`prepare_files`, then
//! `attach_photos` on a draft of the demo). Seeds are made here: baseline, progressive, grey
//! and CMYK JPEGs, one with an EXIF orientation, PNGs (one of 50,000,000 x 1 pixels) and a
//! lossless WebP.

use std::io::Cursor;

use storecheck_core::Lang;
use storecheck_core::model::{AuditStatus, PhotoRule};
use storecheck_core::photo::{Limits, prepare_files};
use uuid::Uuid;

use crate::mutate::{self, Rng};
use crate::sandbox::Sandbox;
use crate::{Failure, Input, Target};

pub struct Photos {
    seeds: Vec<Input>,
    sandbox: Sandbox,
    audit: Uuid,
    requirement: String,
}

impl Photos {
    pub fn new() -> Result<Photos, String> {
        let seeds = seeds()?;
        let mut sandbox = Sandbox::new(|db| db.load_demo(Lang::Ru).map(|_| ()))?;
        let db = sandbox.db()?;
        let err = |e: storecheck_core::Error| e.to_string();
        let draft = db
            .list_audits()
            .map_err(err)?
            .into_iter()
            .find(|a| a.status == AuditStatus::Draft)
            .ok_or("the demo has no draft audit")?;
        let standard = db
            .load_standard(db.load_audit(draft.id).map_err(err)?.header.standard_id)
            .map_err(err)?;
        let requirement = standard
            .sections
            .iter()
            .flat_map(|s| &s.requirements)
            .find(|r| r.photo != PhotoRule::None)
            .ok_or("the demo standard takes no photos")?
            .code
            .clone();
        Ok(Photos {
            seeds,
            sandbox,
            audit: draft.id,
            requirement,
        })
    }
}

fn gradient(w: usize, h: usize, channels: usize) -> Vec<u8> {
    let mut px = Vec::with_capacity(w * h * channels);
    for y in 0..h {
        for x in 0..w {
            for c in 0..channels {
                px.push(((x * 3 + y * 5 + c * 70) % 256) as u8);
            }
        }
    }
    px
}

fn jpeg(format: turbojpeg::PixelFormat, progressive: bool) -> Result<Vec<u8>, String> {
    let (w, h) = (96usize, 64usize);
    let pixels = gradient(w, h, format.size());
    let mut c = turbojpeg::Compressor::new().map_err(|e| e.to_string())?;
    c.set_quality(80).map_err(|e| e.to_string())?;
    if format == turbojpeg::PixelFormat::GRAY {
        c.set_subsamp(turbojpeg::Subsamp::Gray)
            .map_err(|e| e.to_string())?;
    }
    c.set_progressive(progressive).map_err(|e| e.to_string())?;
    c.compress_to_vec(turbojpeg::Image {
        pixels: pixels.as_slice(),
        width: w,
        pitch: w * format.size(),
        height: h,
        format,
    })
    .map_err(|e| e.to_string())
}

/// An APP1 segment holding an EXIF orientation (big-endian TIFF with one IFD entry).
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut tiff = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01".to_vec();
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&value.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // padding, no next IFD
    let mut seg = vec![0xFF, 0xE1];
    seg.extend_from_slice(&((tiff.len() + 2) as u16).to_be_bytes());
    seg.extend_from_slice(&tiff);
    seg
}

fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&exif_orientation(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn encode(img: image::DynamicImage, format: image::ImageFormat) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

fn seeds() -> Result<Vec<Input>, String> {
    use turbojpeg::PixelFormat as P;
    let rgb = jpeg(P::RGB, false)?;
    let rgb_img = image::RgbImage::from_raw(96, 64, gradient(96, 64, 3)).ok_or("rgb image")?;
    let rgba_img = image::RgbaImage::from_raw(40, 30, gradient(40, 30, 4)).ok_or("rgba image")?;
    Ok(vec![
        Input::new("baseline.jpg", rgb.clone()),
        Input::new("exif-6.jpg", with_exif(&rgb, 6)),
        Input::new("progressive.jpg", jpeg(P::RGB, true)?),
        Input::new("grey.jpg", jpeg(P::GRAY, false)?),
        Input::new("cmyk.jpg", jpeg(P::CMYK, false)?),
        Input::new("cmyk-progressive.jpg", jpeg(P::CMYK, true)?),
        Input::new(
            "rgb.png",
            encode(rgb_img.clone().into(), image::ImageFormat::Png)?,
        ),
        Input::new(
            "rgba.png",
            encode(rgba_img.into(), image::ImageFormat::Png)?,
        ),
        Input::new(
            "lossless.webp",
            encode(rgb_img.into(), image::ImageFormat::WebP)?,
        ),
        // An extreme shape within the pixel limit: 50,000,000 x 1, about 50 KB compressed.
        Input::new(
            "wide.png",
            encode(
                image::GrayImage::new(50_000_000, 1).into(),
                image::ImageFormat::Png,
            )?,
        ),
    ])
}

impl Target for Photos {
    fn name(&self) -> &'static str {
        "photos"
    }

    fn generate(&self, rng: &mut Rng) -> Input {
        let seed = rng.pick(&self.seeds);
        rng.note(format!("seed:{}", seed.name));
        let mut b = seed.bytes.clone();
        // Now and then a seed as it is: some (the 50-megapixel strip) are attacks themselves.
        let rounds = if rng.chance(1, 8) {
            0
        } else {
            1 + rng.below(2)
        };
        for _ in 0..rounds {
            if b.starts_with(&[0xFF, 0xD8]) {
                jpeg_mutation(rng, &mut b);
            } else if b.starts_with(b"\x89PNG") {
                png_mutation(rng, &mut b);
            } else if b.starts_with(b"RIFF") {
                webp_mutation(rng, &mut b);
            }
        }
        if rounds > 0 && rng.chance(1, 3) {
            let others: Vec<&[u8]> = self.seeds.iter().map(|s| s.bytes.as_slice()).collect();
            mutate::bytes(rng, &mut b, &others, 4);
        }
        let mut name = seed.name.clone();
        if rng.chance(1, 20) {
            name = format!(
                "renamed.{}",
                rng.pick(&["jpg", "png", "webp", "heic", "gif", "JPEG", ""])
            );
            rng.note(format!("rename:{name}"));
        }
        Input { name, bytes: b }
    }

    fn check(&mut self, input: &Input) -> Result<(), Failure> {
        let path = self.sandbox.inputs.join(if input.name.is_empty() {
            "unnamed"
        } else {
            &input.name
        });
        std::fs::write(&path, &input.bytes)
            .map_err(|e| Failure::harness(format!("{}: {e}", path.display())))?;
        let (audit, requirement) = (self.audit, self.requirement.clone());
        let db = self.sandbox.db().map_err(Failure::harness)?;
        let prepared = prepare_files(std::slice::from_ref(&path), &Limits::default());
        let result = prepared
            .into_iter()
            .collect::<storecheck_core::Result<Vec<_>>>()
            .and_then(|photos| db.attach_photos(audit, &requirement, &photos));
        match result {
            Ok(_) => self.sandbox.reset().map_err(Failure::harness),
            Err(e) => match self.sandbox.changed().map_err(Failure::harness)? {
                None => Ok(()),
                Some(diff) => {
                    let _ = self.sandbox.reset();
                    Err(Failure::new(
                        "refusal-wrote",
                        format!("refused ({e}) but changed the database: {diff}"),
                    ))
                }
            },
        }
    }

    fn recover(&mut self) -> Result<(), String> {
        self.sandbox.reset()
    }
}

const DIMENSIONS: &[u32] = &[
    0,
    1,
    2,
    7,
    8,
    1600,
    12_000,
    30_000,
    65_535,
    65_536,
    50_000_000,
    0x7FFF_FFFF,
    0xFFFF_FFFF,
];

/// The offset of the first JPEG segment with one of `markers`.
fn jpeg_segment(b: &[u8], markers: &[u8]) -> Option<usize> {
    let mut i = 2;
    while i + 4 <= b.len() && b[i] == 0xFF {
        if markers.contains(&b[i + 1]) {
            return Some(i);
        }
        if b[i + 1] == 0xDA {
            return None;
        }
        i += 2 + usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
    }
    None
}

fn jpeg_mutation(rng: &mut Rng, b: &mut Vec<u8>) {
    let sof = jpeg_segment(b, &[0xC0, 0xC1, 0xC2, 0xC3]);
    match (rng.below(7), sof) {
        (0, Some(s)) if s + 9 <= b.len() => {
            // Header dimensions: height at s+5, width at s+7.
            let h = *rng.pick(DIMENSIONS) as u16;
            let w = *rng.pick(DIMENSIONS) as u16;
            b[s + 5..s + 7].copy_from_slice(&h.to_be_bytes());
            b[s + 7..s + 9].copy_from_slice(&w.to_be_bytes());
            rng.note(format!("jpeg:size{w}x{h}"));
        }
        (1, Some(s)) if s + 10 <= b.len() => {
            let n = *rng.pick(&[0u8, 1, 2, 3, 4, 5, 255]);
            b[s + 9] = n;
            rng.note(format!("jpeg:components{n}"));
        }
        (2, Some(s)) => {
            let m = *rng.pick(&[0xC0u8, 0xC1, 0xC2, 0xC3, 0xC9, 0xCA]);
            b[s + 1] = m;
            rng.note(format!("jpeg:sof{m:02X}"));
        }
        (3, _) => {
            // EXIF orientation, added or replaced.
            let v = *rng.pick(&[0u16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 0xFFFF]);
            if let Some(app1) = jpeg_segment(b, &[0xE1]) {
                let len = usize::from(u16::from_be_bytes([b[app1 + 2], b[app1 + 3]]));
                b.splice(app1..app1 + 2 + len, exif_orientation(v));
            } else {
                let seg = exif_orientation(v);
                b.splice(2..2, seg);
            }
            rng.note(format!("jpeg:orientation{v}"));
        }
        (4, _) => {
            // Truncation, often inside the scan, so the picture is cut short.
            let sos = jpeg_segment(b, &[0xDA]).unwrap_or(0);
            let at = sos + rng.below(b.len().saturating_sub(sos).max(1));
            b.truncate(at);
            rng.note(format!("jpeg:truncate@{at}"));
        }
        (5, _) => {
            // A segment length that lies.
            if let Some(s) = jpeg_segment(b, &[0xDB, 0xC4, 0xE0, 0xE1, 0xC0, 0xC2]) {
                let l = *rng.pick(&[0u16, 1, 2, 3, 0x7FFF, 0xFFFF]);
                b[s + 2..s + 4].copy_from_slice(&l.to_be_bytes());
                rng.note(format!("jpeg:segment-length{l}"));
            }
        }
        _ => {
            // Claim huge and cut short: the 12000x12000 truncated case.
            if let Some(s) = sof.filter(|&s| s + 9 <= b.len()) {
                b[s + 5..s + 7].copy_from_slice(&12_000u16.to_be_bytes());
                b[s + 7..s + 9].copy_from_slice(&12_000u16.to_be_bytes());
                let keep = s + 9 + rng.below(b.len() - s - 9 + 1);
                b.truncate(keep);
                rng.note(format!("jpeg:12000x12000-cut@{keep}"));
            }
        }
    }
}

/// The PNG chunks as (offset of the length field, length, type).
fn png_chunks(b: &[u8]) -> Vec<(usize, usize, [u8; 4])> {
    let mut out = Vec::new();
    let mut i = 8;
    while i + 8 <= b.len() {
        let len = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
        let kind = [b[i + 4], b[i + 5], b[i + 6], b[i + 7]];
        out.push((i, len, kind));
        i = match i.checked_add(12).and_then(|n| n.checked_add(len)) {
            Some(n) => n,
            None => break,
        };
    }
    out
}

fn fix_png_crc(b: &mut [u8], chunk: usize, len: usize) {
    let end = chunk + 8 + len;
    if end + 4 <= b.len() {
        let crc = crc32fast::hash(&b[chunk + 4..end]);
        b[end..end + 4].copy_from_slice(&crc.to_be_bytes());
    }
}

fn png_mutation(rng: &mut Rng, b: &mut Vec<u8>) {
    let chunks = png_chunks(b);
    let Some(&(ihdr, ihdr_len, _)) = chunks.first() else {
        return;
    };
    match rng.below(6) {
        0 | 1 if ihdr + 16 <= b.len() => {
            // Extreme shapes: 50,000,000 x 1 and the like, with a correct CRC so the decoder
            // believes it.
            let (w, h) = if rng.chance(1, 2) {
                (*rng.pick(DIMENSIONS), *rng.pick(&[1u32, 2, 8]))
            } else {
                (*rng.pick(DIMENSIONS), *rng.pick(DIMENSIONS))
            };
            let (w, h) = if rng.chance(1, 2) { (w, h) } else { (h, w) };
            b[ihdr + 8..ihdr + 12].copy_from_slice(&w.to_be_bytes());
            b[ihdr + 12..ihdr + 16].copy_from_slice(&h.to_be_bytes());
            if rng.chance(7, 8) {
                fix_png_crc(b, ihdr, ihdr_len);
            }
            rng.note(format!("png:size{w}x{h}"));
        }
        2 if ihdr + 18 <= b.len() => {
            // Bit depth and colour type.
            b[ihdr + 16] = *rng.pick(&[1u8, 2, 4, 8, 16, 0, 3, 255]);
            b[ihdr + 17] = *rng.pick(&[0u8, 2, 3, 4, 6, 1, 7]);
            fix_png_crc(b, ihdr, ihdr_len);
            rng.note(format!("png:depth{}color{}", b[ihdr + 16], b[ihdr + 17]));
        }
        3 => {
            // A chunk length that lies.
            let &(at, _, kind) = rng.pick(&chunks);
            let l = *rng.pick(&[0u32, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 20]);
            b[at..at + 4].copy_from_slice(&l.to_be_bytes());
            rng.note(format!("png:{}-length{l}", String::from_utf8_lossy(&kind)));
        }
        4 => {
            let at = rng.below(b.len());
            b.truncate(at);
            rng.note(format!("png:truncate@{at}"));
        }
        _ => {
            // A chunk repeated (two IHDRs, many IDATs) or removed (no IEND).
            let &(at, len, kind) = rng.pick(&chunks);
            let end = (at + 12 + len).min(b.len());
            if rng.chance(1, 2) {
                let piece = b[at..end].to_vec();
                let times = 1 + rng.below(50);
                for _ in 0..times {
                    b.splice(end..end, piece.iter().copied());
                }
                rng.note(format!(
                    "png:repeat-{}x{times}",
                    String::from_utf8_lossy(&kind)
                ));
            } else {
                b.drain(at..end);
                rng.note(format!("png:drop-{}", String::from_utf8_lossy(&kind)));
            }
        }
    }
}

fn webp_mutation(rng: &mut Rng, b: &mut Vec<u8>) {
    match rng.below(4) {
        0 if b.len() >= 8 => {
            let l = *rng.pick(&[0u32, 4, 0x7FFF_FFFF, 0xFFFF_FFFF]);
            b[4..8].copy_from_slice(&l.to_le_bytes());
            rng.note(format!("webp:riff-size{l}"));
        }
        1 if b.len() >= 25 && &b[12..16] == b"VP8L" => {
            // 14-bit width-1 and height-1 after the 0x2f signature.
            let w = rng.below(1 << 14) as u32;
            let any = rng.below(1 << 14) as u32;
            let h = *rng.pick(&[0u32, 1, 16383, any]);
            let mut bits = u32::from_le_bytes([b[21], b[22], b[23], b[24]]);
            bits = (bits & !0x0FFF_FFFF) | w | (h << 14);
            b[21..25].copy_from_slice(&bits.to_le_bytes());
            rng.note(format!("webp:size{}x{}", w + 1, h + 1));
        }
        2 if b.len() >= 20 => {
            let l = *rng.pick(&[0u32, 1, 0x7FFF_FFFF, 0xFFFF_FFFF]);
            b[16..20].copy_from_slice(&l.to_le_bytes());
            rng.note(format!("webp:chunk-length{l}"));
        }
        _ => {
            let at = rng.below(b.len());
            b.truncate(at);
            rng.note(format!("webp:truncate@{at}"));
        }
    }
}
