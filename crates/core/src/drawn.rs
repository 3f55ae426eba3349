//! Drawn signatures: the PNG a signature pad (or a scanned signature) gives, checked and
//! reduced before it goes into a report that is locked for good.
//!
//! The size is read from the PNG's header before any pixel is decoded, so a small file that
//! declares a huge picture, or a strip far longer than any signature, is refused at once; a large but sensible picture is scaled down to
//! [`MAX_WIDTH`] × [`MAX_HEIGHT`], which is more than the report prints.

use std::io::Cursor;

use image::ImageEncoder;
use image::codecs::png::{PngDecoder, PngEncoder};

use crate::error::{Error, Invalid, Result};
use crate::i18n::{Lang, file_size};

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

impl crate::i18n::Text for Whose {
    fn text(&self, lang: Lang) -> String {
        match self {
            Whose::Signer => lang.pick("the drawn signature", "нарисованная подпись"),
            Whose::Acknowledgement => lang.pick(
                "the acknowledgement's drawn signature",
                "подпись сотрудника об ознакомлении",
            ),
        }
    }
}

/// Why a drawn signature was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum DrawnProblem {
    Empty,
    TooLarge { bytes: usize },
    NotPng,
    TooManyPixels { width: u32, height: u32 },
    SideTooLong { width: u32, height: u32 },
    OddShape { width: u32, height: u32 },
    Damaged { detail: String },
}

impl crate::i18n::Text for DrawnProblem {
    /// Said after the signature's name: "… is empty".
    fn text(&self, lang: Lang) -> String {
        match self {
            DrawnProblem::Empty => lang.pick("is empty", "пустая"),
            DrawnProblem::TooLarge { bytes } => lang.pick(
                format!(
                    "is too large ({}; at most 5 MB)",
                    file_size(*bytes as u64, lang)
                ),
                format!(
                    "слишком большая ({}; не больше 5 МБ)",
                    file_size(*bytes as u64, lang)
                ),
            ),
            DrawnProblem::NotPng => lang.pick(
                "is not a PNG image; save it as PNG",
                "не изображение PNG; сохраните её в формате PNG",
            ),
            DrawnProblem::TooManyPixels { width, height } => lang.pick(
                format!("is too large in pixels ({width} × {height}; at most 25 megapixels)"),
                format!("слишком большая в пикселях ({width} × {height}; не больше 25 мегапикселей)"),
            ),
            DrawnProblem::SideTooLong { width, height } => lang.pick(
                format!("is too long ({width} × {height} pixels; a side may be at most {MAX_SIDE} pixels)"),
                format!("слишком длинная ({width} × {height} пикселей; сторона не больше {MAX_SIDE} пикселей)"),
            ),
            DrawnProblem::OddShape { width, height } => lang.pick(
                format!(
                    "has a shape no signature has ({width} × {height} pixels; one side may be at most {MAX_RATIO} times the other)"
                ),
                format!(
                    "имеет форму, какой у подписи не бывает ({width} × {height} пикселей; одна сторона может быть больше другой не более чем в {MAX_RATIO} раз)"
                ),
            ),
            // The decoder's detail is English only.
            DrawnProblem::Damaged { detail } => lang.pick(
                format!("is a damaged PNG ({detail})"),
                "— повреждённый файл PNG",
            ),
        }
    }
}

/// Checks a drawn signature and returns it as a PNG of at most [`MAX_WIDTH`] × [`MAX_HEIGHT`].
///
/// Errors: [`Error::InvalidInput`] for a file that is not a PNG, is larger than [`MAX_BYTES`],
/// declares more than [`MAX_PIXELS`], or is damaged.
pub fn prepare_signature(png: &[u8], whose: Whose) -> Result<Vec<u8>> {
    let refuse =
        |problem: DrawnProblem| -> Error { Invalid::DrawnSignature { whose, problem }.into() };
    if png.is_empty() {
        return Err(refuse(DrawnProblem::Empty));
    }
    if png.len() > MAX_BYTES {
        return Err(refuse(DrawnProblem::TooLarge { bytes: png.len() }));
    }
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(refuse(DrawnProblem::NotPng));
    }
    let damaged = |e: &dyn std::fmt::Display| {
        refuse(DrawnProblem::Damaged {
            detail: e.to_string(),
        })
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
        return Err(refuse(DrawnProblem::TooManyPixels {
            width: w,
            height: h,
        }));
    }
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(refuse(DrawnProblem::SideTooLong {
            width: w,
            height: h,
        }));
    }
    if w == 0 || h == 0 {
        return Err(damaged(&"it declares an empty picture"));
    }
    if u64::from(w.max(h)) > u64::from(w.min(h)) * u64::from(MAX_RATIO) {
        return Err(refuse(DrawnProblem::OddShape {
            width: w,
            height: h,
        }));
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
