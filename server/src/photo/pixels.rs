//! Pixel work on a decoded photo: transparency laid on white, and
//! shrinking to at most [`MAX_SIDE`] on the longer side.

use super::MAX_SIDE;
use image::{DynamicImage, RgbImage};

/// 8-bit RGB; transparent pixels are laid on white rather than turning black.
///
/// Done in place, in the decoded picture's own buffer: each pixel's RGB is
/// written where the previous pixels' were, never ahead of what is still to
/// be read. A second full-size picture beside the first would be 150 MB at
/// the pixel limit.
pub(super) fn flatten_to_rgb8(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut raw = rgba.into_raw();
    let pixels = raw.len() / 4;
    for i in 0..pixels {
        let a = u32::from(raw[4 * i + 3]);
        for c in 0..3 {
            let v = (u32::from(raw[4 * i + c]) * a + 255 * (255 - a) + 127) / 255;
            raw[3 * i + c] = v as u8;
        }
    }
    raw.truncate(pixels * 3);
    RgbImage::from_raw(w, h, raw).expect("three bytes for each pixel")
}

/// At most [`MAX_SIDE`] on the longer side, keeping the aspect ratio.
///
/// A phone photo is first averaged down by a whole factor (each output pixel
/// the mean of a block of pixels: cheap, and free of aliasing), which leaves
/// it between one and two times the target size; a Catmull-Rom filter then
/// takes it the rest of the way. Resampling a 12-megapixel photo with the
/// filter alone takes several times longer for no visible gain.
pub(super) fn shrink(rgb: RgbImage) -> RgbImage {
    let (w, h) = rgb.dimensions();
    let long = w.max(h);
    if long <= MAX_SIDE {
        return rgb;
    }
    let scale = f64::from(MAX_SIDE) / f64::from(long);
    let nw = ((f64::from(w) * scale).round() as u32).clamp(1, MAX_SIDE);
    let nh = ((f64::from(h) * scale).round() as u32).clamp(1, MAX_SIDE);
    let factor = long / MAX_SIDE;
    let rgb = if factor >= 2 {
        box_reduce(&rgb, factor)
    } else {
        rgb
    };
    if rgb.dimensions() == (nw, nh) {
        return rgb;
    }
    image::imageops::resize(&rgb, nw, nh, image::imageops::FilterType::CatmullRom)
}

/// Each output pixel is the mean of a `factor`×`factor` block (smaller at the
/// right and bottom edges when the size is not a multiple).
fn box_reduce(rgb: &RgbImage, factor: u32) -> RgbImage {
    let (w, h) = rgb.dimensions();
    let (ow, oh) = (w.div_ceil(factor), h.div_ceil(factor));
    let (w, ow, factor_us) = (w as usize, ow as usize, factor as usize);
    let src = rgb.as_raw();
    let mut out = vec![0u8; ow * oh as usize * 3];
    let mut sums = vec![0u32; ow * 3];
    for oy in 0..oh as usize {
        sums.iter_mut().for_each(|s| *s = 0);
        let y0 = oy * factor_us;
        let y1 = (y0 + factor_us).min(h as usize);
        for y in y0..y1 {
            let row = &src[y * w * 3..(y + 1) * w * 3];
            for (x, px) in row.chunks_exact(3).enumerate() {
                let o = (x / factor_us) * 3;
                sums[o] += u32::from(px[0]);
                sums[o + 1] += u32::from(px[1]);
                sums[o + 2] += u32::from(px[2]);
            }
        }
        let rows = (y1 - y0) as u32;
        let dst = &mut out[oy * ow * 3..(oy + 1) * ow * 3];
        for ox in 0..ow {
            let cols = ((ox + 1) * factor_us).min(w) - ox * factor_us;
            let n = rows * cols as u32;
            for c in 0..3 {
                dst[ox * 3 + c] = ((sums[ox * 3 + c] + n / 2) / n) as u8;
            }
        }
    }
    RgbImage::from_raw(ow as u32, oh, out).expect("the buffer has the size of the image")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    #[test]
    fn box_reduce_averages_blocks_and_edges() {
        // 5x3 with factor 2: blocks of 2x2, 1x2, 2x1 and 1x1 at the edges.
        let img = ImageBuffer::from_fn(5, 3, |x, y| Rgb([(x * 10 + y * 100) as u8, 7, 255]));
        let out = box_reduce(&img, 2);
        assert_eq!(out.dimensions(), (3, 2));
        assert_eq!(out.get_pixel(0, 0).0, [55, 7, 255]); // mean of 0, 10, 100, 110
        assert_eq!(out.get_pixel(2, 0).0, [90, 7, 255]); // mean of 40, 140
        assert_eq!(out.get_pixel(0, 1).0, [205, 7, 255]); // mean of 200, 210
        assert_eq!(out.get_pixel(2, 1).0, [240, 7, 255]);
    }

    #[test]
    fn flattening_in_place_lays_each_pixel_on_white_by_its_own_alpha() {
        let rgba = image::RgbaImage::from_fn(7, 5, |x, y| {
            image::Rgba([
                (x * 37) as u8,
                (y * 51) as u8,
                (x * y * 13) as u8,
                (x * 40 + y * 9) as u8,
            ])
        });
        let flat = flatten_to_rgb8(DynamicImage::ImageRgba8(rgba.clone()));
        assert_eq!(flat.dimensions(), (7, 5));
        for (x, y, src) in rgba.enumerate_pixels() {
            let a = u32::from(src[3]);
            let expected: [u8; 3] = std::array::from_fn(|c| {
                ((u32::from(src[c]) * a + 255 * (255 - a) + 127) / 255) as u8
            });
            assert_eq!(flat.get_pixel(x, y).0, expected, "({x}, {y})");
        }
    }
}
