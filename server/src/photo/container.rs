//! What a file's bytes say before anything is decoded: its format, from
//! the magic bytes; a PNG's declared size; whether a JPEG reaches its end.

/// The formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Jpeg,
    Png,
}

pub(super) const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The format, from the magic bytes alone.
pub fn sniff(bytes: &[u8]) -> Option<PhotoFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(PhotoFormat::Jpeg)
    } else if bytes.starts_with(&PNG_SIGNATURE) {
        Some(PhotoFormat::Png)
    } else {
        None
    }
}

/// The width and height in a PNG's IHDR, which must be its first chunk.
pub(super) fn png_declared_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let ihdr = bytes.get(8..24)?;
    if &ihdr[4..8] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(ihdr[8..12].try_into().ok()?);
    let h = u32::from_be_bytes(ihdr[12..16].try_into().ok()?);
    Some((w, h))
}

/// Whether a JPEG reaches its end-of-image marker after its first scan.
///
/// Segments before the first scan are skipped by their lengths (an EXIF
/// thumbnail holds a whole JPEG, end marker included). In the entropy-coded
/// data that follows, a 0xFF byte is always followed by 0x00 or a marker, so
/// the first FF D9 there is the end of the image; bytes after it (some
/// cameras append data) do not matter. A file whose segments cannot be
/// followed is left for the decoder to judge.
pub(super) fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2;
    loop {
        if i >= bytes.len() {
            return false;
        }
        if bytes[i] != 0xFF {
            return true;
        }
        // Markers may be preceded by any number of fill bytes.
        while i < bytes.len() && bytes[i] == 0xFF {
            i += 1;
        }
        let Some(&marker) = bytes.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xDA => return bytes[i..].windows(2).any(|w| w == [0xFF, 0xD9]),
            0xD9 => return false,
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => {}
            _ => {
                let Some(len) = bytes.get(i..i + 2) else {
                    return false;
                };
                i += usize::from(u16::from_be_bytes([len[0], len[1]]));
            }
        }
    }
}
