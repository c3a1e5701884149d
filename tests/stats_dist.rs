//! Accuracy of the distribution layer (`pilot::stats::dist`) at known values.
//!
//! Expected values were computed with mpmath 1.3 at 50 significant digits
//! (script: `tests/reference/README.md`, section "Known values"), independently
//! of this crate: normal tails from `erfc`, t tails from `betainc`, quantiles
//! by `findroot` on the log tail, chi-square from `gammainc`, the noncentral t
//! by quadrature over the chi-square mixing density, hypergeometric
//! probabilities from exact binomial coefficients.

// mpmath's 20 printed digits are kept verbatim so they can be re-derived.
#![allow(clippy::excessive_precision)]

use pilot::stats::dist;

fn assert_rel(what: &str, got: f64, want: f64, tol: f64) {
    let err = if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    };
    assert!(
        err <= tol,
        "{what}: got {got:e}, want {want:e}, relative error {err:e} > {tol:e}"
    );
}

#[test]
fn normal_tail_keeps_relative_accuracy_to_1e_minus_300() {
    let cases: &[(f64, f64)] = &[
        (0.0, 0.5),
        (0.3, 0.38208857781104736693),
        (0.5, 0.30853753872598689636),
        (1.0, 0.15865525393145705141),
        (1.959963984540054, 0.025000000000000010876),
        (3.0, 0.0013498980316300945267),
        (5.5, 1.8989562465887719384e-8),
        (8.0, 6.2209605742717841235e-16),
        (10.0, 7.619853024160526066e-24),
        (20.0, 2.7536241186062336951e-89),
        (30.0, 4.9067139271481870595e-198),
        (35.78, 1.1303403971309288027e-280),
        (36.0, 4.1826240657972833317e-284),
        (37.5, 4.6053530095819548438e-308),
    ];
    for &(z, want) in cases {
        // Below 2.2e-308 results are subnormal and lose relative precision.
        let tol = if want < 1e-300 { 1e-11 } else { 1e-14 };
        assert_rel(&format!("normal_sf({z})"), dist::normal_sf(z), want, tol);
        assert_rel(
            &format!("normal_cdf(-{z})"),
            dist::normal_cdf(-z),
            want,
            tol,
        );
    }
    assert_rel("normal_sf(40)", dist::normal_sf(40.0), 0.0, 0.0);
}

#[test]
fn normal_quantile_matches_known_values() {
    let cases: &[(f64, f64)] = &[
        (0.3, 0.52440051270804078404),
        (0.1, 1.281551565544600467),
        (0.025, 1.9599639845400542355),
        (0.005, 2.575829303548900761),
        (1e-10, 6.3613409024040562047),
        (1e-100, 21.273453560965324295),
        (1e-300, 37.047096299361199237),
    ];
    for &(q, want) in cases {
        assert_rel(
            &format!("normal_isf({q})"),
            dist::normal_isf(q),
            want,
            2e-15,
        );
        assert_rel(
            &format!("normal_quantile({q})"),
            dist::normal_quantile(q),
            -want,
            2e-15,
        );
    }
    assert_eq!(dist::normal_isf(0.5), 0.0);
}

#[test]
fn t_tail_matches_known_values() {
    let cases: &[(f64, f64, f64)] = &[
        (2.0, 5.0, 0.050969739414929178123),
        (0.4733204186584539, 7.495378441250822, 0.3247306513379408623),
        (
            31.405316095762437,
            5521.173068098931,
            1.2212021848822542937e-199,
        ),
        (-2.0, 3.0, 0.93033701572057841158),
        (50.0, 2.5, 4.0652475424793603904e-5),
        (2.0, 10000000.0, 0.02275014544592147664),
        (7.0, 1.0, 0.045167235300866548351),
        (1000000.0, 3.0, 1.102657790839614531e-18),
    ];
    for &(t, df, want) in cases {
        assert_rel(&format!("t_sf({t}, {df})"), dist::t_sf(t, df), want, 1e-13);
        assert_rel(
            &format!("t_cdf({}, {df})", -t),
            dist::t_cdf(-t, df),
            want,
            1e-13,
        );
    }
    // 1.85e-489 underflows: the engine must say 0, not NaN.
    assert_eq!(dist::t_sf(53.17002877735756, 5007.090548480768), 0.0);
}

#[test]
fn t_quantile_is_right_at_large_and_small_df() {
    let cases: &[(f64, f64, f64)] = &[
        (0.025, 10000000.0, 1.9599642217672054904),
        (0.025, 100000.0, 1.9599877075346096386),
        (0.005, 2.0065618374624266, 9.8703941127409501853),
        (0.05, 1.0, 6.313751514675043099),
        (0.025, 2.0, 4.3026527297494638523),
        (1e-10, 3.3, 1202.9000230630136425),
        (0.05, 499.3043600058181, 1.6479111156889746053),
        (0.4, 12.5, 0.25880287736925089215),
    ];
    for &(q, df, want) in cases {
        assert_rel(
            &format!("t_isf({q}, {df})"),
            dist::t_isf(q, df),
            want,
            1e-14,
        );
        assert_rel(
            &format!("t_quantile({q}, {df})"),
            dist::t_quantile(q, df),
            -want,
            1e-14,
        );
    }
}

#[test]
fn chi_squared_tail_matches_known_values() {
    let cases: &[(f64, f64, f64)] = &[
        (68.03849904422566, 3.0, 1.1225172739618478886e-14),
        (2.158257677654753, 2.0, 0.33989149698192791752),
        (62.01672122393589, 1.0, 3.4055322442311954272e-15),
        (1000.0, 10.0, 1.8702907209159496958e-208),
        (0.5, 4.0, 0.97350097883925608531),
    ];
    for &(x, df, want) in cases {
        assert_rel(
            &format!("chi_squared_sf({x}, {df})"),
            dist::chi_squared_sf(x, df),
            want,
            1e-13,
        );
    }
}

#[test]
fn noncentral_t_matches_quadrature() {
    let cases: &[(f64, f64, f64, f64)] = &[
        (1.9659, 318.0, 2.9, 0.17545707159731646589),
        (2.0, 10.0, 1.0, 0.80761156253037526203),
        (1.5, 5.5, 3.0, 0.076463520162014627053),
        (2.6, 60.0, -1.0, 0.99976268158182739151),
        (-1.0, 20.0, 0.5, 0.07082462101263046538),
    ];
    for &(t, df, ncp, want) in cases {
        let got = dist::noncentral_t_cdf(t, df, ncp);
        // AS 243 stops when its error bound is below 1e-12 (absolute).
        assert!(
            (got - want).abs() < 2e-12,
            "noncentral_t_cdf({t}, {df}, {ncp}) = {got}, want {want}"
        );
        let sf = dist::noncentral_t_sf(t, df, ncp);
        assert!((sf - (1.0 - want)).abs() < 2e-12);
    }
}

#[test]
fn hypergeometric_log_pmf_matches_exact_binomials() {
    let cases: &[(f64, f64, f64, f64, f64)] = &[
        (10399.0, 34569.0, 11717.0, 12041.0, -647.11053210497963876),
        (1.0, 3.0, 48.0, 13.0, -0.82360321776284179923),
        (30396.0, 63740.0, 20221.0, 42827.0, -593.50881495157718894),
        (5000.0, 10000.0, 10000.0, 10000.0, -4.4844254483527680207),
    ];
    for &(k, r, b, n, want) in cases {
        let got = dist::hypergeometric_ln_pmf(k, r, b, n);
        // Absolute error of the log = relative error of the probability.
        assert!(
            (got - want).abs() < 1e-12,
            "ln dhyper({k}, {r}, {b}, {n}) = {got}, want {want}"
        );
    }
}
