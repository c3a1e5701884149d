//! Standard normal distribution with full relative accuracy in both tails.
//!
//! The CDF is W. J. Cody's ANORM (netlib SPECFUN, "Rational Chebyshev
//! approximations for the error function", Math. Comp. 23 (1969) 631-637),
//! evaluated on the normal scale so that no `x / sqrt(2)` rounding is
//! amplified in the far tail. `statrs::distribution::Normal::cdf` goes through
//! an `erf` whose constants carry about 5e-11 relative error and forms the upper
//! tail as `1 - cdf`, so it cannot produce p-values such as 1e-280.
//!
//! The quantile is Wichura's AS 241 (PPND16, Appl. Statist. 37 (1988) 477-484),
//! accurate to about 1e-16, taking the tail probability itself as input.

/// 1 / sqrt(2 pi).
pub(super) const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

const A: [f64; 5] = [
    2.235_252_035_460_683_928_7,
    161.028_231_068_555_878_81,
    1_067.689_485_460_370_958_2,
    18_154.981_253_343_561_249,
    0.065_682_337_918_207_449_113,
];
const B: [f64; 4] = [
    47.202_581_904_688_241_87,
    976.098_551_737_776_693_22,
    10_260.932_208_618_978_205,
    45_507.789_335_026_729_956,
];
const C: [f64; 9] = [
    0.398_941_512_088_134_667_64,
    8.883_149_794_388_375_941_2,
    93.506_656_132_177_855_979,
    597.270_276_394_800_262_26,
    2_494.537_585_290_372_671_1,
    6_848.190_450_536_282_332_6,
    11_602.651_437_647_350_124,
    9_842.714_838_383_978_021_8,
    1.076_557_677_372_019_231_7e-8,
];
const D: [f64; 8] = [
    22.266_688_044_328_115_691,
    235.387_901_782_624_998_61,
    1_519.377_599_407_554_805,
    6_485.558_298_266_760_755,
    18_615.571_640_885_098_091,
    34_900.952_721_145_977_266,
    38_912.003_286_093_271_411,
    19_685.429_676_859_990_727,
];
const P: [f64; 6] = [
    0.215_898_534_057_956_99,
    0.127_401_161_160_247_363_9,
    0.022_235_277_870_649_807,
    0.001_421_619_193_227_893_466,
    2.911_287_495_116_879_2e-5,
    0.023_073_441_764_940_173_03,
];
const Q: [f64; 5] = [
    1.284_260_096_144_911_21,
    0.468_238_212_480_865_118,
    0.065_988_137_868_928_551_5,
    0.003_782_396_332_027_582_44,
    7.297_515_550_839_662_05e-5,
];

/// exp(-y^2 / 2) without the rounding error of forming y^2: splitting y at a
/// multiple of 1/16 makes the large part of the square exact (Cody's trick).
pub(super) fn half_gauss_exp(y: f64) -> f64 {
    let y = y.abs();
    if y > 40.0 {
        return 0.0;
    }
    let ysq = (y * 16.0).trunc() / 16.0;
    let del = (y - ysq) * (y + ysq);
    (-ysq * ysq * 0.5).exp() * (-del * 0.5).exp()
}

/// (P(Z <= x), P(Z > x)); whichever is smaller is computed directly.
pub(super) fn cdf_both(x: f64) -> (f64, f64) {
    if x.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let y = x.abs();
    if y <= 0.66291 {
        let xsq = if y > 1.11e-16 { x * x } else { 0.0 };
        let mut xnum = A[4] * xsq;
        let mut xden = xsq;
        for (a, b) in A.iter().zip(&B).take(3) {
            xnum = (xnum + a) * xsq;
            xden = (xden + b) * xsq;
        }
        let r = x * (xnum + A[3]) / (xden + B[3]);
        return (0.5 + r, 0.5 - r);
    }
    let small = if y <= 5.656_854_248 {
        let mut xnum = C[8] * y;
        let mut xden = y;
        for (c, d) in C.iter().zip(&D).take(7) {
            xnum = (xnum + c) * y;
            xden = (xden + d) * y;
        }
        half_gauss_exp(y) * ((xnum + C[7]) / (xden + D[7]))
    } else if y <= 40.0 {
        let xsq = 1.0 / (y * y);
        let mut xnum = P[5] * xsq;
        let mut xden = xsq;
        for (p, q) in P.iter().zip(&Q).take(4) {
            xnum = (xnum + p) * xsq;
            xden = (xden + q) * xsq;
        }
        let r = xsq * (xnum + P[4]) / (xden + Q[4]);
        half_gauss_exp(y) * ((INV_SQRT_2PI - r) / y)
    } else {
        0.0
    };
    if x > 0.0 {
        (1.0 - small, small)
    } else {
        (small, 1.0 - small)
    }
}

const QA: [f64; 8] = [
    3.387_132_872_796_366_608,
    133.141_667_891_784_377_45,
    1_971.590_950_306_551_442_7,
    13_731.693_765_509_461_125,
    45_921.953_931_549_871_457,
    67_265.770_927_008_700_853,
    33_430.575_583_588_128_105,
    2_509.080_928_730_122_672_7,
];
const QB: [f64; 8] = [
    1.0,
    42.313_330_701_600_911_252,
    687.187_007_492_057_908_3,
    5_394.196_021_424_751_107_7,
    21_213.794_301_586_595_867,
    39_307.895_800_092_710_61,
    28_729.085_735_721_942_674,
    5_226.495_278_852_854_561,
];
const QC: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    0.241_780_725_177_450_611_77,
    0.022_723_844_989_269_184_583_3,
    7.745_450_142_783_414_076_4e-4,
];
const QD: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    0.689_767_334_985_100_004_55,
    0.148_103_976_427_480_074_59,
    0.015_198_666_563_616_457_196_6,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
const QE: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    0.296_560_571_828_504_891_23,
    0.026_532_189_526_576_123_093,
    0.001_242_660_947_388_078_438_6,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
const QF: [f64; 8] = [
    1.0,
    0.599_832_206_555_887_937_69,
    0.136_929_880_922_735_805_31,
    0.014_875_361_290_850_614_852_5,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

fn horner(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

/// The z > 0 with P(Z > z) = tail, for 0 < tail <= 0.5 (AS 241).
pub(super) fn upper_tail_quantile(tail: f64) -> f64 {
    let q = 0.5 - tail;
    if q <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * horner(&QA, r) / horner(&QB, r);
    }
    let r = (-tail.ln()).sqrt();
    if r <= 5.0 {
        let r = r - 1.6;
        horner(&QC, r) / horner(&QD, r)
    } else {
        let r = r - 5.0;
        horner(&QE, r) / horner(&QF, r)
    }
}
