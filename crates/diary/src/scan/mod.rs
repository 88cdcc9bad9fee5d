//! Reading a QR code from an image (a photo or a screenshot of a poster).
//!
//! `rxing` (a pure-Rust port of ZXing) does the reading proper: the finder-pattern search, the
//! sampler that follows the alignment patterns, and the Reed–Solomon decoder, which makes a bad
//! reading fail rather than come back as other text. Around it this module adds what photos of
//! posters needed, each measured on `make bench`'s corpus (`bench/qr_corpus.py`: real posters at
//! 720p and 1080p under twelve conditions, from clean to moiré, lamination, creases, low light):
//!
//! - passes from cheap to costly, so that the usual photo costs one look at half size;
//! - a binarizer of its own, after zxing-cpp's: a threshold per 8 × 8 block halfway between its
//!   darkest and lightest pixel, smoothed over the blocks around it, flat blocks taking their
//!   neighbours' (rxing's hybrid binarizer calls every flat block light, and turns the washed-out
//!   part of a glared poster white);
//! - its own choice of which three finder patterns make a symbol (rxing wants the corner's angle
//!   within 60°–120° and the hypotenuse longest, and misses posters seen at a slant);
//! - a second sampler, one projection fitted to the finder patterns' corners and the alignment
//!   patterns, for codes rxing's sampler gives up on (blur, strong slant).
//!
//! On one run of that corpus (864 images) the decoder before this one (rxing, then a contrast
//! stretch) read 774 (90 %), this module 851 (98.5 %) and zxing-cpp 830 (96 %), this module at
//! least as many as zxing-cpp under every condition; none returned wrong text. See
//! ARCHITECTURE.md, "QR decoding", and bench/REPORT.md.

use std::cell::{Cell, OnceCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::{DynamicImage, GrayImage};
use rxing::common::cpp_essentials::{
    ConcentricPattern, DecoderResult, FindConcentricPatternCorners,
};
use rxing::common::{
    BitArray, BitMatrix, DefaultGridSampler, DetectorRXingResult, GridSampler,
    PerspectiveTransform, Quadrilateral, SamplerControl,
};
use rxing::qrcode::common::Version;
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{
    FindFinderPatterns, FinderPatternSet, LocateAlignmentPattern, ReadVersion, SampleQR,
};
use rxing::{BarcodeFormat, Point, RXingResult};

use crate::{Error, Result};

/// The passes work on at most this many pixels a side (phone photos are larger; a poster's QR
/// stays readable at this size and the time grows with the pixel count).
const MAX_SIDE: u32 = 2000;

/// The first look is at about this many pixels a side: a 1080p frame at half size reads in
/// a quarter of the time, and averaging four pixels into one halves the noise and shrinks blur.
const QUICK_SIDE: u32 = 1000;

/// How many candidate symbols (three finder patterns each) each sampler tries.
const SETS_TRIED: usize = 16;
const SETS_TRIED_PROJECTIVE: usize = 8;
/// Past this many finder-like patterns in a frame, rxing's own reader (the last pass) is not
/// tried: a poster photographed shows three, and a few more from its print.
const MAX_CROWD: usize = 40;

/// Decodes the first QR code found in an image file's bytes (PNG, JPEG or WebP).
pub fn decode_qr_image(bytes: &[u8]) -> Result<String> {
    let unreadable = |e: image::ImageError| match e {
        image::ImageError::Limits(limit) => Error::ImageTooLarge(limit.to_string()),
        e => Error::ImageUnreadable(e.to_string()),
    };
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::ImageUnreadable(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE_READ);
    limits.max_image_height = Some(MAX_SIDE_READ);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(unreadable)?;
    decode(&image).ok_or(Error::NoQrCode)
}

/// For the fuzz target `qr_image` only (feature `fuzzing`, which nothing else enables): the
/// passes on a grey picture of `width` pixels a row (a last partial row dropped), without an
/// image file's decoding before them.
#[cfg(feature = "fuzzing")]
pub fn decode_qr_grey(width: u32, mut pixels: Vec<u8>) -> Option<String> {
    let width = width.max(1);
    let height = u32::try_from(pixels.len() / width as usize).ok()?;
    pixels.truncate(width as usize * height as usize);
    let grey = GrayImage::from_raw(width, height, pixels).filter(|_| height > 0)?;
    decode(&DynamicImage::ImageLuma8(grey))
}

/// The largest image read, a side in pixels and the memory its decoding may take: a
/// 50-megapixel photo (8160 × 6120, 150 MB as RGB) is read; a file that would take more of a
/// phone's memory is refused in a sentence, not decoded (a small PNG can say it is 23 000
/// pixels square).
const MAX_SIDE_READ: u32 = 12_000;
const MAX_DECODED_BYTES: u64 = 256 << 20;

/// The passes, cheapest first. The figures are from one run of the bench corpus (864 images,
/// thread CPU time per image with the file's decoding, zxing-cpp timed the same way).
fn decode(image: &DynamicImage) -> Option<String> {
    let long = image.width().max(image.height());
    let shrink = long.div_ceil(MAX_SIDE).max(1);
    let quick = (long / shrink).div_ceil(QUICK_SIDE);
    let working_cell = OnceCell::new();
    let working = || working_cell.get_or_init(|| downscale(&luma(image), shrink));
    // The most finder-like patterns a pass met: a frame full of them (a page of codes, a
    // checkerboard) is not given to rxing's own reader, whose search grows with their cube.
    let crowd = Cell::new(0);

    // 1. At about 1000 pixels a side, looking for finder patterns on every few rows only. It
    //    reads 780 of the 864 and sets the median: 4.3 ms (zxing-cpp 4.6 ms; 5.8 ms with the
    //    full-size pass first, and 5 fewer read).
    if quick > 1 {
        let small = if shrink == 1 && quick == 2 {
            half_luma(image)
        } else {
            downscale(working(), quick)
        };
        if let Some(text) = guarded(|| read(&binarize(&small)?, false, &crowd)) {
            return Some(text);
        }
    }
    // 2. Full size, every third row: codes small in the frame (3 pixels a module or less),
    //    and most of what the first look missed: +66.
    guarded(|| read(&binarize(working())?, true, &crowd))
        // 3. Coarser than the first look: in low light, averaging nine pixels into one is what
        //    sets the modules apart from the noise: +2, both low light.
        .or_else(|| guarded(|| read(&binarize(&downscale(working(), quick + 1))?, true, &crowd)))
        // 4. rxing as it comes (its hybrid binarizer, both its readers): +3, under a
        //    lamination's highlight or a slant.
        .or_else(|| {
            (crowd.get() <= MAX_CROWD)
                .then(|| guarded(|| read_with_rxing(working())))
                .flatten()
        })
}

/// rxing's detector notes that it can panic on some inputs; a photo must not bring the app
/// down, so a pass that panics has found nothing.
fn guarded(pass: impl FnOnce() -> Option<String>) -> Option<String> {
    catch_unwind(AssertUnwindSafe(pass)).ok().flatten()
}

fn read_with_rxing(luma: &GrayImage) -> Option<String> {
    let (width, height) = luma.dimensions();
    rxing::helpers::detect_in_luma_slice(luma.as_raw(), width, height, Some(BarcodeFormat::QR_CODE))
        .ok()
        .map(|result| result.getText().to_owned())
}

// ------------------------------------------------------------------------------------------------
// Grey levels

/// Luma of any image; for RGB (colour JPEGs) with integer Rec. 601 weights: 0.6 ms for the median
/// bench image where `to_luma8` took 4 ms, most of the old decoder's time.
fn luma(image: &DynamicImage) -> GrayImage {
    match image {
        DynamicImage::ImageLuma8(luma) => luma.clone(),
        DynamicImage::ImageRgb8(rgb) => {
            let (width, height) = rgb.dimensions();
            let mut out = vec![0; width as usize * height as usize];
            for (o, p) in out.iter_mut().zip(rgb.as_raw().chunks_exact(3)) {
                *o = ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32 + 128) >> 8) as u8;
            }
            GrayImage::from_raw(width, height, out).unwrap_or_else(|| image.to_luma8())
        }
        // A code drawn on a transparent background: laid on white, as a screen shows it (the
        // colour of a transparent pixel is often black).
        other if other.color().has_alpha() => {
            let rgba = other.to_rgba8();
            let (width, height) = rgba.dimensions();
            let out = rgba
                .pixels()
                .map(|p| {
                    let grey = (77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32 + 128) >> 8;
                    let alpha = p[3] as u32;
                    ((grey * alpha + 255 * (255 - alpha) + 127) / 255) as u8
                })
                .collect();
            GrayImage::from_raw(width, height, out).unwrap_or_else(|| image.to_luma8())
        }
        other => other.to_luma8(),
    }
}

/// Luma at half size straight from RGB, each pixel the mean of a 2 × 2 block: the first look
/// without converting the full frame first.
fn half_luma(image: &DynamicImage) -> GrayImage {
    let DynamicImage::ImageRgb8(rgb) = image else {
        return downscale(&luma(image), 2);
    };
    let (width, height) = rgb.dimensions();
    let (w, h) = (width as usize / 2, height as usize / 2);
    let stride = 3 * width as usize;
    let raw = rgb.as_raw();
    let mut out = vec![0; w * h];
    for (y, row) in out.chunks_exact_mut(w.max(1)).enumerate() {
        let upper = raw[2 * y * stride..].chunks_exact(6);
        let lower = raw[(2 * y + 1) * stride..].chunks_exact(6);
        for ((o, a), b) in row.iter_mut().zip(upper).zip(lower) {
            let r = a[0] as u32 + a[3] as u32 + b[0] as u32 + b[3] as u32;
            let g = a[1] as u32 + a[4] as u32 + b[1] as u32 + b[4] as u32;
            let b = a[2] as u32 + a[5] as u32 + b[2] as u32 + b[5] as u32;
            *o = ((77 * r + 150 * g + 29 * b + 512) >> 10) as u8;
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_else(|| downscale(&luma(image), 2))
}

/// Each pixel the mean of a k × k block (the last partial row and column dropped).
fn downscale(luma: &GrayImage, k: u32) -> GrayImage {
    if k <= 1 {
        return luma.clone();
    }
    let (width, k) = (luma.width() as usize, k as usize);
    let (w, h) = (width / k, luma.height() as usize / k);
    let mut out = vec![0; w * h];
    let mut sums = vec![0u32; w];
    for (y, row) in out.chunks_exact_mut(w.max(1)).enumerate() {
        sums.fill(0);
        for line in luma.as_raw()[y * k * width..].chunks(width).take(k) {
            for (sum, block) in sums.iter_mut().zip(line.chunks_exact(k)) {
                *sum += block.iter().map(|&p| p as u32).sum::<u32>();
            }
        }
        for (o, sum) in row.iter_mut().zip(&sums) {
            *o = (sum / (k * k) as u32) as u8;
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_else(|| luma.clone())
}

// ------------------------------------------------------------------------------------------------
// Black and white

const BLOCK: usize = 8;
/// Below this spread of grey levels a block is flat: paper, or the inside of a large module.
const MIN_SPREAD: u8 = 24;

/// Black where darker than the local threshold. A block's own threshold is halfway between its
/// darkest and lightest pixel; each block then takes the mean over the 5 × 5 blocks around it,
/// its own counted three times (twice more than the others) and flat ones not at all, and a block with no contrast anywhere near
/// takes the last threshold before it. Thresholds follow the paper's brightness under a glare,
/// and a flat block never splits into noise. With rxing's hybrid binarizer in its place the
/// passes read 14 fewer of the 864 (glare 65 of 72 instead of 72) and take 15 % longer. None
/// for images too small to hold a code.
fn binarize(luma: &GrayImage) -> Option<BitMatrix> {
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    if w < 5 * BLOCK || h < 5 * BLOCK {
        return None;
    }
    let raw = luma.as_raw();
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut own = vec![0u8; bw * bh];
    let (mut low, mut high) = (vec![0u8; w], vec![0u8; w]);
    for by in 0..bh {
        // The last row and column of blocks end at the image's edge, overlapping the one before.
        let y0 = (by * BLOCK).min(h - BLOCK);
        low.copy_from_slice(&raw[y0 * w..][..w]);
        high.copy_from_slice(&raw[y0 * w..][..w]);
        for line in raw[(y0 + 1) * w..].chunks(w).take(BLOCK - 1) {
            for ((l, u), &p) in low.iter_mut().zip(high.iter_mut()).zip(line) {
                *l = (*l).min(p);
                *u = (*u).max(p);
            }
        }
        for bx in 0..bw {
            let x0 = (bx * BLOCK).min(w - BLOCK);
            let l = low[x0..x0 + BLOCK].iter().copied().min().unwrap_or(0);
            let u = high[x0..x0 + BLOCK].iter().copied().max().unwrap_or(0);
            own[by * bw + bx] = if u - l > MIN_SPREAD {
                ((u as u16 + l as u16) / 2) as u8
            } else {
                0
            };
        }
    }
    let mut threshold = vec![0u8; bw * bh];
    for by in 0..bh {
        let cy = by.clamp(2, bh - 3);
        for bx in 0..bw {
            let cx = bx.clamp(2, bw - 3);
            let me = own[by * bw + bx] as u32;
            let (mut sum, mut n) = (2 * me, if me > 0 { 2 } else { 0 });
            for row in own[(cy - 2) * bw..].chunks(bw).take(5) {
                for &t in &row[cx - 2..cx + 3] {
                    sum += t as u32;
                    n += (t > 0) as u32;
                }
            }
            threshold[by * bw + bx] = sum.checked_div(n).map_or(0, |t| t as u8);
        }
    }
    let mut last = threshold.iter().copied().find(|&t| t > 0).unwrap_or(0);
    for t in threshold.iter_mut() {
        if *t > 0 {
            last = *t;
        } else {
            *t = last;
        }
    }

    // Eight pixels at a time: a byte of 0/1 flags per pixel gathered into bits by one multiply.
    const WORD: usize = usize::BITS as usize;
    let padded = w.div_ceil(WORD) * WORD;
    let mut matrix = BitMatrix::new(w as u32, h as u32).ok()?;
    let mut row = BitArray::with_size(w);
    let (mut row_threshold, mut black) = (vec![0u8; padded], vec![0u8; padded]);
    for y in 0..h {
        if y % BLOCK == 0 {
            let by = (y / BLOCK).min(bh - 1);
            for (x, t) in row_threshold[..w].iter_mut().enumerate() {
                *t = threshold[by * bw + (x / BLOCK).min(bw - 1)];
            }
        }
        for ((b, &p), &t) in black.iter_mut().zip(&raw[y * w..][..w]).zip(&row_threshold) {
            *b = (p <= t) as u8;
        }
        for (i, chunk) in black.chunks_exact(WORD).enumerate() {
            let mut word = 0usize;
            for (k, eight) in chunk.chunks_exact(8).enumerate() {
                let flags = u64::from_le_bytes(eight.try_into().unwrap_or_default());
                word |= ((flags.wrapping_mul(0x0102_0408_1020_4080) >> 56) as usize) << (8 * k);
            }
            row.setBulk(i * WORD, word);
        }
        matrix.setRow(y as u32, &row);
    }
    Some(matrix)
}

// ------------------------------------------------------------------------------------------------
// Finding and reading the symbol

/// The symbol's text: rxing's sampler on each plausible set of finder patterns, then ours.
fn read(matrix: &BitMatrix, try_harder: bool, crowd: &Cell<usize>) -> Option<String> {
    let mut patterns = FindFinderPatterns(matrix, try_harder, 0);
    crowd.set(crowd.get().max(patterns.len()));
    let sets = finder_sets(&mut patterns);
    let text = |decoded: DecoderResult<bool>, points: &[Point]| {
        decoded.isValid().then(|| {
            RXingResult::with_decoder_result(decoded, points, BarcodeFormat::QR_CODE)
                .getText()
                .to_owned()
        })
    };
    sets.iter()
        .take(SETS_TRIED)
        .find_map(|set| {
            let detected = SampleQR(matrix, set).ok()?;
            text(Decode(detected.getBits()).ok()?, detected.getPoints())
        })
        .or_else(|| {
            sets.iter()
                .take(SETS_TRIED_PROJECTIVE)
                .find_map(|set| text(Decode(&sample_projective(matrix, set)?).ok()?, &[]))
        })
}

/// Sets of three finder patterns that may be one symbol, the most square first. Any of the
/// three may be the corner (under a strong slant a leg can look longer than the hypotenuse);
/// the corner's angle may be 30°–150°, the legs within 2.5 × of each other, the patterns'
/// sizes within 3 ×. Looser than rxing's own: a wrong set costs a failed sampling
/// (Reed–Solomon refuses what it reads), not wrong text.
/// With rxing's sets the passes read 64 of 72 posters seen in perspective instead of 72.
fn finder_sets(patterns: &mut Vec<ConcentricPattern>) -> Vec<FinderPatternSet> {
    patterns.sort_by_key(|p| std::cmp::Reverse(p.size));
    patterns.truncate(64);
    patterns.reverse();
    let max_cos = 30f64.to_radians().cos();
    let mut sets = Vec::new();
    for (i, a) in patterns.iter().enumerate() {
        for (j, b) in patterns.iter().enumerate().skip(i + 1) {
            for c in patterns.iter().skip(j + 1) {
                if c.size > 3 * a.size {
                    break;
                }
                for (corner, p, q) in [(a, b, c), (b, a, c), (c, a, b)] {
                    let (u, v) = (p.p - corner.p, q.p - corner.p);
                    let (lu, lv) = (u.x.hypot(u.y) as f64, v.x.hypot(v.y) as f64);
                    if lu == 0.0 || lv == 0.0 || lu > 2.5 * lv || lv > 2.5 * lu {
                        continue;
                    }
                    let module = (a.size + b.size + c.size) as f64 / 21.0;
                    let modules = (lu + lv) / 2.0 / module + 7.0;
                    let cos = (u.x * v.x + u.y * v.y) as f64 / (lu * lv);
                    if !(15.0..=266.0).contains(&modules) || cos.abs() > max_cos {
                        continue;
                    }
                    // Clockwise on the screen (y down): top-right, then bottom-left.
                    let (tr, bl) = if u.x * v.y - u.y * v.x > 0.0 {
                        (p, q)
                    } else {
                        (q, p)
                    };
                    let score = cos.abs() + (lu / lv).ln().abs() / 2.0;
                    sets.push((
                        score,
                        FinderPatternSet {
                            bl: *bl,
                            tl: *corner,
                            tr: *tr,
                        },
                    ));
                }
            }
        }
    }
    sets.sort_by(|x, y| x.0.total_cmp(&y.0));
    sets.into_iter().map(|(_, set)| set).collect()
}

// ------------------------------------------------------------------------------------------------
// The projective sampler

/// A plane-to-plane projection, module coordinates to pixels:
/// x' = (h0 x + h1 y + h2) / (h6 x + h7 y + 1), y' = (h3 x + h4 y + h5) / (h6 x + h7 y + 1).
#[derive(Clone, Copy, Debug)]
struct Projection([f64; 8]);

type Pair = ((f64, f64), (f64, f64));

impl Projection {
    fn map(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let h = &self.0;
        let d = h[6] * x + h[7] * y + 1.0;
        (
            (h[0] * x + h[1] * y + h[2]) / d,
            (h[3] * x + h[4] * y + h[5]) / d,
        )
    }

    /// Least squares over (module, pixel) pairs, both sides first centred and scaled to unit
    /// mean distance so that the normal equations stay well conditioned; with the root mean
    /// square error in pixels. None when the points are degenerate.
    fn fit(pairs: &[Pair]) -> Option<(Projection, f64)> {
        if pairs.len() < 4 {
            return None;
        }
        let n = pairs.len() as f64;
        let normaliser = |points: &dyn Fn(&Pair) -> (f64, f64)| {
            let (mx, my) = pairs
                .iter()
                .map(points)
                .fold((0.0, 0.0), |s, p| (s.0 + p.0 / n, s.1 + p.1 / n));
            let spread = pairs
                .iter()
                .map(points)
                .map(|p| (p.0 - mx).hypot(p.1 - my))
                .sum::<f64>()
                / n;
            (mx, my, if spread > 1e-9 { 1.0 / spread } else { 1.0 })
        };
        let (ax, ay, sa) = normaliser(&|p| p.0);
        let (bx, by, sb) = normaliser(&|p| p.1);
        let (mut ata, mut atb) = ([[0.0; 8]; 8], [0.0; 8]);
        for &((x, y), (u, v)) in pairs {
            let (x, y, u, v) = ((x - ax) * sa, (y - ay) * sa, (u - bx) * sb, (v - by) * sb);
            for (row, rhs) in [
                ([x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u], u),
                ([0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v], v),
            ] {
                for i in 0..8 {
                    atb[i] += row[i] * rhs;
                    for j in 0..8 {
                        ata[i][j] += row[i] * row[j];
                    }
                }
            }
        }
        let g = solve(ata, atb)?;
        // Undo the normalisations: H = Nb⁻¹ · G · Na.
        let g = [[g[0], g[1], g[2]], [g[3], g[4], g[5]], [g[6], g[7], 1.0]];
        let na = [[sa, 0.0, -ax * sa], [0.0, sa, -ay * sa], [0.0, 0.0, 1.0]];
        let nb_inv = [[1.0 / sb, 0.0, bx], [0.0, 1.0 / sb, by], [0.0, 0.0, 1.0]];
        let h = product(product(nb_inv, g), na);
        if h[2][2].abs() < 1e-12 {
            return None;
        }
        let k = 1.0 / h[2][2];
        let projection = Projection([
            h[0][0] * k,
            h[0][1] * k,
            h[0][2] * k,
            h[1][0] * k,
            h[1][1] * k,
            h[1][2] * k,
            h[2][0] * k,
            h[2][1] * k,
        ]);
        let squares = pairs.iter().map(|&(m, (u, v))| {
            let (pu, pv) = projection.map(m);
            (pu - u).powi(2) + (pv - v).powi(2)
        });
        let error = (squares.sum::<f64>() / n).sqrt();
        error.is_finite().then_some((projection, error))
    }
}

fn product(a: [[f64; 3]; 3], b: [[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut c = [[0.0; 3]; 3];
    for (i, row) in c.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    c
}

/// Gaussian elimination with partial pivoting; None for a singular system.
fn solve(mut a: [[f64; 8]; 8], mut b: [f64; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (pivot_row, pivot_b) = (a[col], b[col]);
        for (row, rhs) in a.iter_mut().zip(b.iter_mut()).skip(col + 1) {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            *rhs -= f * pivot_b;
        }
    }
    let mut x = [0.0; 8];
    for row in (0..8).rev() {
        let rest: f64 = (row + 1..8).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// A finder pattern's centre and the four corners of the middle of its outer ring (3 modules
/// out), each with its offset in modules, told apart along the symbol's two axes.
fn finder_points(
    matrix: &BitMatrix,
    fp: &ConcentricPattern,
    ex: Point,
    ey: Point,
) -> Option<Vec<((f64, f64), Point)>> {
    let corners = FindConcentricPatternCorners(matrix, fp.p, fp.size, 2)?;
    let det = (ex.x * ey.y - ex.y * ey.x) as f64;
    if det.abs() < 1e-6 {
        return None;
    }
    let mut out = vec![((0.0, 0.0), fp.p)];
    for c in corners.0 {
        let r = c - fp.p;
        let along_x = (r.x * ey.y - r.y * ey.x) as f64 / det > 0.0;
        let along_y = (ex.x * r.y - ex.y * r.x) as f64 / det > 0.0;
        let offset = (
            if along_x { 3.0 } else { -3.0 },
            if along_y { 3.0 } else { -3.0 },
        );
        if out.iter().any(|&(o, _)| o == offset) {
            return None;
        }
        out.push((offset, c));
    }
    Some(out)
}

/// Samples the symbol through one projection fitted to the finder patterns (centres and outer
/// corners) and then to every alignment pattern found through it. The dimension is the one
/// whose fit to the finder patterns leaves the least error (the cross-ratio along each edge
/// fixes it), checked against the version bits where the symbol has them. Where rxing's
/// sampler follows each alignment pattern's neighbourhood and loses its way in a blur, one
/// plane fits the whole poster: 70 of 72 blurred photos read with it, 64 without.
fn sample_projective(matrix: &BitMatrix, set: &FinderPatternSet) -> Option<BitMatrix> {
    let (ex, ey) = (set.tr.p - set.tl.p, set.bl.p - set.tl.p);
    let finders = [
        finder_points(matrix, &set.tl, ex, ey)?,
        finder_points(matrix, &set.tr, ex, ey)?,
        finder_points(matrix, &set.bl, ex, ey)?,
    ];
    let finder_pairs = |dim: f64| -> Vec<Pair> {
        let centres = [(3.5, 3.5), (dim - 3.5, 3.5), (3.5, dim - 3.5)];
        let mut pairs = Vec::with_capacity(15);
        for (points, (cx, cy)) in finders.iter().zip(centres) {
            for &((dx, dy), p) in points {
                pairs.push(((cx + dx, cy + dy), (p.x as f64, p.y as f64)));
            }
        }
        pairs
    };
    // A first guess from the finder patterns' own module size (corners 6 modules apart).
    let module = |points: &[((f64, f64), Point)], along_x: bool| {
        let side = |sign: f64| {
            let picked: Vec<Point> = points
                .iter()
                .filter(|(o, _)| (if along_x { o.0 } else { o.1 }) == 3.0 * sign)
                .map(|&(_, p)| p)
                .collect();
            let n = picked.len().max(1) as f32;
            picked.into_iter().fold(Point::default(), |s, p| s + p) / n
        };
        let d = side(1.0) - side(-1.0);
        (d.x.hypot(d.y) / 6.0).max(0.5) as f64
    };
    let across =
        ex.x.hypot(ex.y) as f64 / ((module(&finders[0], true) + module(&finders[1], true)) / 2.0);
    let down =
        ey.x.hypot(ey.y) as f64 / ((module(&finders[0], false) + module(&finders[2], false)) / 2.0);
    let guess = (across + down) / 2.0 + 7.0;
    let mut dims: Vec<(f64, u32)> = (21..=177)
        .step_by(4)
        .filter(|&d| (d as f64 - guess).abs() <= 14.0)
        .filter_map(|d| Projection::fit(&finder_pairs(d as f64)).map(|(_, e)| (e, d)))
        .collect();
    dims.sort_by(|a, b| a.0.total_cmp(&b.0));
    dims.iter()
        .take(2)
        .find_map(|&(_, dim)| sample_dimension(matrix, dim, &finder_pairs))
}

/// Fits, adds the alignment patterns, checks the version bits (moving once to the dimension
/// they name if it is near) and samples.
fn sample_dimension(
    matrix: &BitMatrix,
    mut dim: u32,
    finder_pairs: &dyn Fn(f64) -> Vec<Pair>,
) -> Option<BitMatrix> {
    for _ in 0..2 {
        let d = dim as f64;
        let mut pairs = finder_pairs(d);
        let (mut projection, _) = Projection::fit(&pairs)?;
        let (c0, c1) = (
            projection.map((d / 2.0, d / 2.0)),
            projection.map((d / 2.0 + 1.0, d / 2.0 + 1.0)),
        );
        let module = ((c1.0 - c0.0).hypot(c1.1 - c0.1) / std::f64::consts::SQRT_2).max(1.0);
        let centres = Version::getProvisionalVersionForDimension(dim)
            .ok()?
            .getAlignmentPatternCenters();
        let last = centres.len().saturating_sub(1);
        let mut expected: Vec<(f64, f64)> = Vec::new();
        for (i, &y) in centres.iter().enumerate() {
            for (j, &x) in centres.iter().enumerate() {
                // Three of the grid's places are the finder patterns.
                if !((i == 0 && (j == 0 || j == last)) || (i == last && j == 0)) {
                    expected.push((x as f64 + 0.5, y as f64 + 0.5));
                }
            }
        }
        // Nearest the finder patterns first, refitting after each one found.
        expected.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
        for at in expected {
            let (px, py) = projection.map(at);
            let Some(found) =
                LocateAlignmentPattern(matrix, module as i32, Point::new(px as f32, py as f32))
            else {
                continue;
            };
            if (found.x as f64 - px).hypot(found.y as f64 - py) < 2.0 * module {
                pairs.push((at, (found.x as f64, found.y as f64)));
                projection = Projection::fit(&pairs).map_or(projection, |(p, _)| p);
            }
        }
        let point = |m: (f64, f64)| {
            let (x, y) = projection.map(m);
            Point::new(x as f32, y as f32)
        };
        let square = Quadrilateral::new(
            Point::new(0.0, 0.0),
            Point::new(d as f32, 0.0),
            Point::new(d as f32, d as f32),
            Point::new(0.0, d as f32),
        );
        let pixels = Quadrilateral::new(
            point((0.0, 0.0)),
            point((d, 0.0)),
            point((d, d)),
            point((0.0, d)),
        );
        let transform = PerspectiveTransform::quadrilateralToQuadrilateral(square, pixels).ok()?;
        if dim >= 45 {
            let named = ReadVersion(matrix, dim, transform)
                .ok()?
                .getDimensionForVersion();
            if named != dim {
                if named.abs_diff(dim) > 8 {
                    return None;
                }
                dim = named;
                continue;
            }
        }
        let control = SamplerControl {
            p0: Point::new(0.0, 0.0),
            p1: Point::new(d as f32, d as f32),
            transform,
        };
        return DefaultGridSampler
            .sample_grid(matrix, dim, dim, &[control])
            .ok()
            .map(|(bits, _)| bits);
    }
    None
}

#[cfg(test)]
mod tests;
