//! Photos: checked from their bytes, re-encoded (which drops EXIF), size-limited.
//!
//! The applicant's photo is an upload of JPEG or PNG, at most
//! [`MAX_UPLOAD_BYTES`]. The type is judged from the first bytes, never from
//! the file name or the browser's `Content-Type`. The picture is decoded
//! (with limits, so that a small file declaring a huge image is refused
//! before anything large is allocated), turned upright if its EXIF says so,
//! made no larger than [`MAX_SIDE`] pixels on its longer side, and encoded
//! afresh as a baseline JPEG. The encoder writes only a JFIF header, so the
//! upload's EXIF (GPS position, camera serial numbers, thumbnails), XMP,
//! ICC profile and comments do not survive.
//!
//! Everything here is pure and synchronous, and decoding a large photo takes
//! CPU time: callers in async code should run [`clean`] on a blocking thread
//! (`tokio::task::spawn_blocking`) and bound how many run at once.

mod container;
mod pixels;

pub use container::{PhotoFormat, sniff};

use container::{jpeg_is_complete, png_declared_dimensions};
use image::codecs::jpeg::JpegEncoder;
use image::error::ImageError;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use pixels::{flatten_to_rgb8, shrink};
use std::fmt;
use std::io::Cursor;

/// The largest upload accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;

/// The most pixels an upload may declare (50 megapixels: a 48-megapixel
/// phone photo passes). Refused from the header, before the pixels are
/// decoded. At this size one decode holds up to about 350 MB (the RGBA
/// picture and its RGB copy); `ceilings` bounds how many run at once.
pub const MAX_PIXELS: u64 = 50_000_000;

/// The longest side an upload may declare, whatever its area.
const MAX_DECLARED_SIDE: u32 = 16_384;

/// The most memory the decoders may use for one image (the decoded pixels
/// and their own buffers).
const MAX_DECODER_ALLOC: u64 = 256 * 1024 * 1024;

/// The shorter side of a usable photo must be at least this many pixels.
pub const MIN_SIDE: u32 = 200;

/// The stored photo's longer side is at most this many pixels.
pub const MAX_SIDE: u32 = 1200;

/// The quality of the stored JPEG.
const JPEG_QUALITY: u8 = 85;

/// Why an upload was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    /// No bytes at all (no file chosen, or an empty file).
    Empty,
    /// More than [`MAX_UPLOAD_BYTES`].
    TooLarge,
    /// Not a JPEG or a PNG, judged from its bytes: GIF, PDF, text, HTML…
    NotAnImage,
    /// Starts like a JPEG or PNG but cannot be decoded: truncated or corrupt.
    Unreadable,
    /// Smaller than [`MIN_SIDE`] on a side: not usable for an ID photo.
    TooSmall,
    /// Declares more than [`MAX_PIXELS`] (a decompression bomb, or a photo
    /// far larger than needed). Refused before the pixels are decoded.
    TooManyPixels,
}

impl PhotoError {
    /// A stable identifier, for messages and logs.
    pub fn key(self) -> &'static str {
        match self {
            PhotoError::Empty => "photo.empty",
            PhotoError::TooLarge => "photo.too_large",
            PhotoError::NotAnImage => "photo.not_an_image",
            PhotoError::Unreadable => "photo.unreadable",
            PhotoError::TooSmall => "photo.too_small",
            PhotoError::TooManyPixels => "photo.too_many_pixels",
        }
    }
}

impl fmt::Display for PhotoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl std::error::Error for PhotoError {}

/// A photo fit to store: a JPEG with no metadata beyond a JFIF header.
#[derive(Clone, PartialEq, Eq)]
pub struct CleanPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

// A face is personal data: never print the bytes.
impl fmt::Debug for CleanPhoto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CleanPhoto")
            .field("jpeg", &format_args!("<{} bytes>", self.jpeg.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Checks an upload and re-encodes it as a JPEG without metadata, upright,
/// and at most [`MAX_SIDE`] pixels on its longer side.
pub fn clean(bytes: &[u8]) -> Result<CleanPhoto, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff(bytes).ok_or(PhotoError::NotAnImage)?;
    // The JPEG decoder is lenient: it fills a cut-off picture with grey.
    // A photo that never reaches its end marker was not fully uploaded.
    if format == PhotoFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Unreadable);
    }
    if format == PhotoFormat::Png {
        // The PNG decoder reads up to the first pixel data before anything
        // else can look at the size; the header says it at a fixed place.
        if let Some((w, h)) = png_declared_dimensions(bytes) {
            check_declared(w, h)?;
        }
    }

    let mut reader = ImageReader::with_format(
        Cursor::new(bytes),
        match format {
            PhotoFormat::Jpeg => ImageFormat::Jpeg,
            PhotoFormat::Png => ImageFormat::Png,
        },
    );
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECLARED_SIDE);
    limits.max_image_height = Some(MAX_DECLARED_SIDE);
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    reader.limits(limits);

    // Reads the headers only.
    let mut decoder = reader.into_decoder().map_err(from_image_error)?;
    let (width, height) = decoder.dimensions();
    check_declared(width, height)?;
    if decoder.total_bytes() > MAX_DECODER_ALLOC {
        return Err(PhotoError::TooManyPixels);
    }
    if width.min(height) < MIN_SIDE {
        return Err(PhotoError::TooSmall);
    }
    // A photo whose EXIF cannot be read is still a photo: left as it is.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);

    let decoded = DynamicImage::from_decoder(decoder).map_err(from_image_error)?;
    let rgb = flatten_to_rgb8(decoded);
    let rgb = shrink(rgb);
    let mut upright = DynamicImage::ImageRgb8(rgb);
    upright.apply_orientation(orientation);
    let rgb = upright.into_rgb8();
    let (width, height) = rgb.dimensions();
    // A very long, thin image can fall below the minimum once shrunk.
    if width.min(height) < MIN_SIDE {
        return Err(PhotoError::TooSmall);
    }

    let mut jpeg = Vec::with_capacity(256 * 1024);
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(CleanPhoto {
        jpeg,
        width,
        height,
    })
}

fn check_declared(width: u32, height: u32) -> Result<(), PhotoError> {
    if width > MAX_DECLARED_SIDE
        || height > MAX_DECLARED_SIDE
        || u64::from(width) * u64::from(height) > MAX_PIXELS
    {
        return Err(PhotoError::TooManyPixels);
    }
    Ok(())
}

fn from_image_error(e: ImageError) -> PhotoError {
    match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        // Decoding, IO (a truncated file), Unsupported (an exotic variant of
        // the format), Parameter: all mean "this file cannot be read".
        _ => PhotoError::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::container::PNG_SIGNATURE;
    use super::*;
    use image::{ImageBuffer, Rgb, RgbImage, Rgba};

    fn gradient(w: u32, h: u32) -> RgbImage {
        ImageBuffer::from_fn(w, h, |x, y| {
            Rgb([
                (x * 255 / w.max(1)) as u8,
                (y * 255 / h.max(1)) as u8,
                ((x ^ y) & 0xFF) as u8,
            ])
        })
    }

    fn encode_jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, quality)
            .encode_image(img)
            .unwrap();
        out
    }

    fn encode_png(img: &DynamicImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// The markers of a JPEG up to its first scan (SOS).
    fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
        assert_eq!(&bytes[..2], &[0xFF, 0xD8], "SOI");
        let mut markers = Vec::new();
        let mut i = 2;
        while i + 4 <= bytes.len() {
            assert_eq!(bytes[i], 0xFF, "marker at {i}");
            let marker = bytes[i + 1];
            markers.push(marker);
            if marker == 0xDA {
                break;
            }
            let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
            i += 2 + len;
        }
        markers
    }

    /// Where a marker (before the first scan) starts.
    fn jpeg_marker_offset(bytes: &[u8], wanted: u8) -> usize {
        let mut i = 2;
        loop {
            if bytes[i + 1] == wanted {
                return i;
            }
            assert_ne!(bytes[i + 1], 0xDA, "marker {wanted:x} not found");
            i += 2 + u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        }
    }

    fn assert_valid_jpeg(photo: &CleanPhoto) {
        assert_eq!(sniff(&photo.jpeg), Some(PhotoFormat::Jpeg));
        assert!(photo.jpeg.ends_with(&[0xFF, 0xD9]), "EOI");
        let back = image::load_from_memory_with_format(&photo.jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (photo.width, photo.height));
    }

    /// An APP1 Exif segment: a little-endian TIFF with IFD0 holding Make
    /// (the given text) and Orientation.
    fn exif_app1(make: &str, orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"II");
        tiff.extend_from_slice(&42u16.to_le_bytes());
        tiff.extend_from_slice(&8u32.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        let data_offset = 8 + 2 + 2 * 12 + 4;
        // Make (0x010F), ASCII.
        tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&(make.len() as u32 + 1).to_le_bytes());
        tiff.extend_from_slice(&(data_offset as u32).to_le_bytes());
        // Orientation (0x0112), SHORT.
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&orientation.to_le_bytes());
        tiff.extend_from_slice(&0u16.to_le_bytes());
        // No next IFD.
        tiff.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(tiff.len(), data_offset);
        tiff.extend_from_slice(make.as_bytes());
        tiff.push(0);

        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut segment = vec![0xFF, 0xE1];
        segment.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        segment.extend_from_slice(&payload);
        segment
    }

    /// Splices a segment in right after SOI.
    fn splice_after_soi(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(segment);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
        out
    }

    /// A PNG whose IHDR declares the given size, followed by a little
    /// (valid zlib, far too short) pixel data and IEND.
    fn png_declaring(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
        // zlib stream of an empty stored block.
        png.extend_from_slice(&png_chunk(
            b"IDAT",
            &[
                0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
            ],
        ));
        png.extend_from_slice(&png_chunk(b"IEND", &[]));
        png
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn keys_are_stable() {
        assert_eq!(PhotoError::Empty.key(), "photo.empty");
        assert_eq!(PhotoError::TooLarge.key(), "photo.too_large");
        assert_eq!(PhotoError::NotAnImage.key(), "photo.not_an_image");
        assert_eq!(PhotoError::Unreadable.key(), "photo.unreadable");
        assert_eq!(PhotoError::TooSmall.key(), "photo.too_small");
        assert_eq!(PhotoError::TooManyPixels.key(), "photo.too_many_pixels");
    }

    #[test]
    fn sniffs_from_magic_bytes() {
        assert_eq!(
            sniff(&encode_jpeg(&gradient(8, 8), 80)),
            Some(PhotoFormat::Jpeg)
        );
        assert_eq!(
            sniff(&encode_png(&DynamicImage::ImageRgb8(gradient(8, 8)))),
            Some(PhotoFormat::Png)
        );
        assert_eq!(sniff(b"GIF89a\x01\x00\x01\x00"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"<!doctype html>"), None);
        assert_eq!(sniff(&[0xFF, 0xD8]), None);
        assert_eq!(sniff(&[]), None);
    }

    #[test]
    fn a_png_comes_back_as_a_jpeg() {
        let png = encode_png(&DynamicImage::ImageRgb8(gradient(640, 480)));
        let photo = clean(&png).unwrap();
        assert_eq!((photo.width, photo.height), (640, 480));
        assert_valid_jpeg(&photo);
    }

    #[test]
    fn transparency_is_laid_on_white() {
        let img = ImageBuffer::from_fn(300, 300, |x, _| {
            if x < 150 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([0, 0, 0, 255])
            }
        });
        let photo = clean(&encode_png(&DynamicImage::ImageRgba8(img))).unwrap();
        let back = image::load_from_memory(&photo.jpeg).unwrap().into_rgb8();
        assert!(
            back.get_pixel(20, 150).0.iter().all(|&c| c > 240),
            "transparent → white"
        );
        assert!(
            back.get_pixel(280, 150).0.iter().all(|&c| c < 15),
            "opaque black stays black"
        );
    }

    #[test]
    fn exif_is_removed_and_its_orientation_applied() {
        let secret = "Camera X GPS -1.2921,36.8219 serial 0042";
        // Orientation 6: the stored pixels must be turned 90° clockwise.
        let jpeg = splice_after_soi(&encode_jpeg(&gradient(400, 300), 90), &exif_app1(secret, 6));
        assert!(contains(&jpeg, b"Exif\0\0") && contains(&jpeg, secret.as_bytes()));
        // The upload still decodes, with its EXIF readable.
        let mut decoder = ImageReader::with_format(Cursor::new(&jpeg), ImageFormat::Jpeg)
            .into_decoder()
            .unwrap();
        assert_eq!(
            decoder.orientation().unwrap(),
            image::metadata::Orientation::Rotate90
        );

        let photo = clean(&jpeg).unwrap();
        assert_valid_jpeg(&photo);
        assert!(
            !jpeg_markers(&photo.jpeg).contains(&0xE1),
            "no APP1 segment"
        );
        assert!(!contains(&photo.jpeg, b"Exif"));
        assert!(!contains(&photo.jpeg, secret.as_bytes()));
        assert!(!contains(&photo.jpeg, b"GPS"));
        assert_eq!((photo.width, photo.height), (300, 400), "turned upright");
    }

    #[test]
    fn only_a_jfif_header_precedes_the_image() {
        let photo = clean(&encode_jpeg(&gradient(400, 400), 90)).unwrap();
        let markers = jpeg_markers(&photo.jpeg);
        assert_eq!(markers[0], 0xE0, "APP0 (JFIF)");
        assert!(
            markers
                .iter()
                .all(|m| !(0xE1..=0xEF).contains(m) && *m != 0xFE),
            "no other APPn, no COM: {markers:x?}"
        );
    }

    #[test]
    fn other_types_named_jpg_are_not_images() {
        // The name is never looked at: only the bytes reach `clean`.
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&[0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00]);
        gif.extend_from_slice(&[0u8; 64]);
        assert_eq!(clean(&gif), Err(PhotoError::NotAnImage));
        assert_eq!(
            clean(b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(
            clean(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(clean(b"just some text"), Err(PhotoError::NotAnImage));
        // A JPEG preceded by anything else is not a JPEG.
        let mut prefixed = b"<html>".to_vec();
        prefixed.extend_from_slice(&encode_jpeg(&gradient(300, 300), 80));
        assert_eq!(clean(&prefixed), Err(PhotoError::NotAnImage));
    }

    #[test]
    fn truncated_or_corrupt_files_are_unreadable() {
        let jpeg = encode_jpeg(&gradient(400, 400), 90);
        assert_eq!(clean(&jpeg[..jpeg.len() / 2]), Err(PhotoError::Unreadable));
        assert_eq!(clean(&jpeg[..40]), Err(PhotoError::Unreadable));
        assert_eq!(clean(&[0xFF, 0xD8, 0xFF]), Err(PhotoError::Unreadable));
        assert_eq!(
            clean(&jpeg[..jpeg.len() - 2]),
            Err(PhotoError::Unreadable),
            "cut just before EOI"
        );
        // Data after the end marker (some cameras append some) is fine.
        let mut trailing = jpeg.clone();
        trailing.extend_from_slice(b"trailer");
        assert!(clean(&trailing).is_ok());
        // A complete thumbnail in the EXIF does not hide a cut-off photo.
        let mut app1 = vec![0xFF, 0xE1, 0, 0];
        app1.extend_from_slice(b"Exif\0\0");
        app1.extend_from_slice(&encode_jpeg(&gradient(16, 16), 50));
        let len = (app1.len() - 2) as u16;
        app1[2..4].copy_from_slice(&len.to_be_bytes());
        let with_thumbnail = splice_after_soi(&jpeg, &app1);
        assert!(clean(&with_thumbnail).is_ok());
        assert_eq!(
            clean(&with_thumbnail[..with_thumbnail.len() - 100]),
            Err(PhotoError::Unreadable)
        );

        let png = encode_png(&DynamicImage::ImageRgb8(gradient(400, 400)));
        assert_eq!(clean(&png[..png.len() / 2]), Err(PhotoError::Unreadable));
        assert_eq!(clean(&PNG_SIGNATURE), Err(PhotoError::Unreadable));
        let mut bad_crc = png.clone();
        bad_crc[30] ^= 0xFF; // the CRC of IHDR
        assert_eq!(clean(&bad_crc), Err(PhotoError::Unreadable));
    }

    #[test]
    fn more_than_two_megabytes_is_too_large() {
        let mut big = encode_jpeg(&gradient(300, 300), 80);
        big.resize(MAX_UPLOAD_BYTES + 1, 0);
        assert_eq!(clean(&big), Err(PhotoError::TooLarge));
        // Refused on size before the type is looked at.
        assert_eq!(
            clean(&vec![b'a'; MAX_UPLOAD_BYTES + 1]),
            Err(PhotoError::TooLarge)
        );
    }

    #[test]
    fn nothing_is_empty() {
        assert_eq!(clean(&[]), Err(PhotoError::Empty));
    }

    #[test]
    fn tiny_images_are_too_small() {
        assert_eq!(
            clean(&encode_jpeg(&gradient(10, 10), 90)),
            Err(PhotoError::TooSmall)
        );
        assert_eq!(
            clean(&encode_png(&DynamicImage::ImageRgb8(gradient(10, 10)))),
            Err(PhotoError::TooSmall)
        );
        assert_eq!(
            clean(&encode_png(&DynamicImage::ImageRgb8(gradient(1000, 150)))),
            Err(PhotoError::TooSmall)
        );
        // Long and thin: big enough as uploaded, too thin once shrunk.
        assert_eq!(
            clean(&encode_png(&DynamicImage::ImageRgb8(gradient(4000, 300)))),
            Err(PhotoError::TooSmall)
        );
        assert!(clean(&encode_png(&DynamicImage::ImageRgb8(gradient(200, 200)))).is_ok());
    }

    #[test]
    fn a_declared_bomb_is_refused_before_decoding() {
        assert_eq!(
            clean(&png_declaring(100_000, 100_000)),
            Err(PhotoError::TooManyPixels)
        );
        // Under the per-side limit, over the area limit.
        assert_eq!(
            clean(&png_declaring(10_000, 10_000)),
            Err(PhotoError::TooManyPixels)
        );
        // A plausible size is not refused for its size (but this one has no
        // pixels); nor is a 48-megapixel phone photo's.
        assert_eq!(
            clean(&png_declaring(1000, 1000)),
            Err(PhotoError::Unreadable)
        );
        assert_eq!(
            clean(&png_declaring(8000, 6000)),
            Err(PhotoError::Unreadable)
        );
    }

    #[test]
    fn a_jpeg_declaring_too_many_pixels_is_refused() {
        // SOF0 rewritten to declare 65000x65000.
        let mut jpeg = encode_jpeg(&gradient(300, 300), 80);
        let sof = jpeg_marker_offset(&jpeg, 0xC0);
        jpeg[sof + 5..sof + 7].copy_from_slice(&65000u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&65000u16.to_be_bytes());
        assert_eq!(clean(&jpeg), Err(PhotoError::TooManyPixels));
    }

    #[test]
    fn large_photos_are_shrunk_to_1200_on_the_long_side() {
        let photo = clean(&encode_jpeg(&gradient(1500, 2000), 85)).unwrap();
        assert_valid_jpeg(&photo);
        assert_eq!((photo.width, photo.height), (900, 1200));

        let photo = clean(&encode_png(&DynamicImage::ImageRgb8(gradient(1601, 1201)))).unwrap();
        assert_eq!(photo.width.max(photo.height), MAX_SIDE);
        assert_eq!((photo.width, photo.height), (1200, 900));

        let photo = clean(&encode_jpeg(&gradient(1200, 800), 85)).unwrap();
        assert_eq!(
            (photo.width, photo.height),
            (1200, 800),
            "not resized when within the limit"
        );
    }

    #[test]
    fn large_photos_keep_their_aspect_ratio() {
        for (w, h) in [
            (3000, 4000),
            (4000, 3000),
            (2401, 1801),
            (3600, 2400),
            (2400, 2400),
        ] {
            let photo = clean(&encode_jpeg(&gradient(w, h), 60)).unwrap();
            assert_eq!(photo.width.max(photo.height), MAX_SIDE, "{w}x{h}");
            let want = f64::from(w.min(h)) * f64::from(MAX_SIDE) / f64::from(w.max(h));
            assert!(
                (f64::from(photo.width.min(photo.height)) - want).abs() <= 1.0,
                "{w}x{h} -> {photo:?}"
            );
            assert_eq!(w > h, photo.width > photo.height);
        }
    }

    #[test]
    fn grayscale_and_sixteen_bit_images_are_accepted() {
        let gray = DynamicImage::ImageLuma8(ImageBuffer::from_fn(300, 300, |x, _| {
            image::Luma([x as u8])
        }));
        assert_valid_jpeg(&clean(&encode_png(&gray)).unwrap());
        let deep = DynamicImage::ImageRgb16(ImageBuffer::from_fn(300, 300, |x, y| {
            Rgb([x as u16 * 200, y as u16 * 200, 0])
        }));
        assert_valid_jpeg(&clean(&encode_png(&deep)).unwrap());
    }

    #[test]
    fn debug_does_not_print_the_bytes() {
        let photo = CleanPhoto {
            jpeg: vec![0xFF; 1000],
            width: 3,
            height: 4,
        };
        let s = format!("{photo:?}");
        assert!(s.contains("1000 bytes") && s.len() < 80, "{s}");
    }
}
