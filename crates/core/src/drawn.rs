//! Drawn signatures: the PNG a signature pad (or a scanned signature) gives, checked and
//! reduced before it goes into a report that is locked for good.
//!
//! The size is read from the PNG's header before any pixel is decoded, so a small file that
//! declares a huge picture, or a strip far longer than any signature, is refused at once; a large but sensible picture is scaled down to
//! [`MAX_WIDTH`] × [`MAX_HEIGHT`], which is more than the report prints.

use std::io::Cursor;

use image::ImageEncoder;
use image::codecs::png::{PngDecoder, PngEncoder};

use crate::error::{Error, Result};

/// The largest drawn-signature file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most pixels a drawn signature may declare.
pub const MAX_PIXELS: u64 = 25_000_000;
/// The longest side a drawn signature may declare: a whole A4 page's width scanned at 600 dpi
/// is 4,960 pixels. Scaling down costs memory in proportion to the long side.
pub const MAX_SIDE: u32 = 10_000;
/// How many times longer than its short side a drawn signature's long side may be.
pub const MAX_RATIO: u32 = 50;
/// The largest drawn signature kept; larger ones are scaled down to fit.
pub const MAX_WIDTH: u32 = 1200;
pub const MAX_HEIGHT: u32 = 400;

/// Which drawn signature, for messages: the auditor's or the observed employee's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    Signer,
    Acknowledgement,
}

impl Whose {
    fn field(self) -> &'static str {
        match self {
            Whose::Signer => "signature",
            Whose::Acknowledgement => "acknowledgement",
        }
    }
    fn en(self) -> &'static str {
        match self {
            Whose::Signer => "the drawn signature",
            Whose::Acknowledgement => "the acknowledgement's drawn signature",
        }
    }
    fn ru(self) -> &'static str {
        match self {
            Whose::Signer => "нарисованная подпись",
            Whose::Acknowledgement => "подпись сотрудника об ознакомлении",
        }
    }
}

/// Checks a drawn signature and returns it as a PNG of at most [`MAX_WIDTH`] × [`MAX_HEIGHT`].
///
/// Errors: [`Error::InvalidInput`] for a file that is not a PNG, is larger than [`MAX_BYTES`],
/// declares more than [`MAX_PIXELS`], or is damaged.
pub fn prepare_signature(png: &[u8], whose: Whose) -> Result<Vec<u8>> {
    let refuse = |en: String, ru: String| {
        Error::invalid(
            whose.field(),
            format!("{} {en}", whose.en()),
            format!("{} {ru}", whose.ru()),
        )
    };
    if png.is_empty() {
        return Err(refuse("is empty".into(), "пустая".into()));
    }
    if png.len() > MAX_BYTES {
        return Err(refuse(
            format!(
                "is too large ({:.1} MB; at most 5 MB)",
                png.len() as f64 / 1048576.0
            ),
            format!(
                "слишком большая ({:.1} МБ; не больше 5 МБ)",
                png.len() as f64 / 1048576.0
            ),
        ));
    }
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(refuse(
            "is not a PNG image; save it as PNG".into(),
            "не изображение PNG; сохраните её в формате PNG".into(),
        ));
    }
    let damaged = |e: &dyn std::fmt::Display| {
        refuse(
            format!("is a damaged PNG ({e})"),
            format!("— повреждённый файл PNG ({e})"),
        )
    };
    // The size, from the IHDR chunk every PNG starts with, before the decoder reads further.
    let declared = |at: usize| {
        png.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(w), Some(h), Some(b"IHDR")) = (declared(16), declared(20), png.get(12..16)) else {
        return Err(damaged(&"no image header"));
    };
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(refuse(
            format!("is too large in pixels ({w} × {h}; at most 25 megapixels)"),
            format!("слишком большая в пикселях ({w} × {h}; не больше 25 мегапикселей)"),
        ));
    }
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(refuse(
            format!("is too long ({w} × {h} pixels; a side may be at most {MAX_SIDE} pixels)"),
            format!("слишком длинная ({w} × {h} пикселей; сторона не больше {MAX_SIDE} пикселей)"),
        ));
    }
    if w == 0 || h == 0 {
        return Err(damaged(&"it declares an empty picture"));
    }
    if u64::from(w.max(h)) > u64::from(w.min(h)) * u64::from(MAX_RATIO) {
        return Err(refuse(
            format!(
                "has a shape no signature has ({w} × {h} pixels; one side may be at most {MAX_RATIO} times the other)"
            ),
            format!(
                "имеет форму, какой у подписи не бывает ({w} × {h} пикселей; одна сторона может быть больше другой не более чем в {MAX_RATIO} раз)"
            ),
        ));
    }
    let decoder = PngDecoder::new(Cursor::new(png)).map_err(|e| damaged(&e))?;
    let img = image::DynamicImage::from_decoder(decoder).map_err(|e| damaged(&e))?;
    let img = if w > MAX_WIDTH || h > MAX_HEIGHT {
        img.resize(MAX_WIDTH, MAX_HEIGHT, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            rgba.as_raw(),
            rgba.width(),
            rgba.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| damaged(&e))?;
    Ok(out)
}
