//! The little dense linear algebra the joint decision model needs: a few
//! metrics at a time (the primary and the money metrics), so matrices are
//! tiny and a plain Cholesky factorisation is both exact enough and fast.

/// A square symmetric matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    size: usize,
    values: Vec<f64>,
}

impl Matrix {
    /// The `size x size` zero matrix.
    pub fn zeros(size: usize) -> Self {
        Self {
            size,
            values: vec![0.0; size * size],
        }
    }

    /// The matrix with these rows (square), for tests' literal figures.
    #[cfg(test)]
    pub fn from_rows(rows: &[&[f64]]) -> Self {
        let mut m = Self::zeros(rows.len());
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate() {
                m.set(i, j, *v);
            }
        }
        m
    }

    /// Rows and columns.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Entry `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.size + j]
    }

    /// Sets entry `(i, j)`.
    pub fn set(&mut self, i: usize, j: usize, value: f64) {
        self.values[i * self.size + j] = value;
    }

    /// `self + other` (same size).
    pub fn plus(&self, other: &Matrix) -> Matrix {
        Matrix {
            size: self.size,
            values: self
                .values
                .iter()
                .zip(&other.values)
                .map(|(a, b)| a + b)
                .collect(),
        }
    }

    /// `factor * self`.
    pub fn scaled(&self, factor: f64) -> Matrix {
        Matrix {
            size: self.size,
            values: self.values.iter().map(|v| v * factor).collect(),
        }
    }

    /// `self * other`.
    pub fn times(&self, other: &Matrix) -> Matrix {
        let n = self.size;
        let mut out = Matrix::zeros(n);
        for i in 0..n {
            for j in 0..n {
                out.set(i, j, (0..n).map(|k| self.get(i, k) * other.get(k, j)).sum());
            }
        }
        out
    }

    /// `self * x`.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        (0..self.size)
            .map(|i| (0..self.size).map(|j| self.get(i, j) * x[j]).sum())
            .collect()
    }

    /// `self x` into `out` (of the same size), without allocating.
    pub fn apply_into(&self, x: &[f64], out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = (0..self.size).map(|j| self.get(i, j) * x[j]).sum();
        }
    }

    /// `x' self x`.
    pub fn quadratic(&self, x: &[f64]) -> f64 {
        dot(x, &self.apply(x))
    }

    /// The matrix made exactly symmetric (rounding in products leaves the
    /// two triangles a few ulps apart).
    pub fn symmetrised(&self) -> Matrix {
        let mut out = self.clone();
        for i in 0..self.size {
            for j in 0..i {
                let v = 0.5 * (self.get(i, j) + self.get(j, i));
                out.set(i, j, v);
                out.set(j, i, v);
            }
        }
        out
    }
}

/// `x . y`.
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// The Cholesky factor of a positive definite matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cholesky {
    lower: Matrix,
}

impl Cholesky {
    /// Factorises `a = L L'`; `None` unless `a` is positive definite (a
    /// pivot that is not clearly positive, relative to the diagonal).
    pub fn of(a: &Matrix) -> Option<Self> {
        let lower = factor(a, false)?;
        Some(Self { lower })
    }

    /// `a^-1 b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let n = self.lower.size;
        let l = &self.lower;
        let mut y = vec![0.0; n];
        for i in 0..n {
            let s: f64 = (0..i).map(|k| l.get(i, k) * y[k]).sum();
            y[i] = (b[i] - s) / l.get(i, i);
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|k| l.get(k, i) * x[k]).sum();
            x[i] = (y[i] - s) / l.get(i, i);
        }
        x
    }

    /// `a^-1`.
    pub fn inverse(&self) -> Matrix {
        let n = self.lower.size;
        let mut out = Matrix::zeros(n);
        for j in 0..n {
            let mut unit = vec![0.0; n];
            unit[j] = 1.0;
            for (i, v) in self.solve(&unit).into_iter().enumerate() {
                out.set(i, j, v);
            }
        }
        out.symmetrised()
    }

    /// `ln det a`.
    pub fn log_determinant(&self) -> f64 {
        (0..self.lower.size)
            .map(|i| 2.0 * self.lower.get(i, i).ln())
            .sum()
    }
}

/// A square root `L` (lower triangular, `L L' = a`) of a positive
/// *semi*-definite matrix, for drawing from a normal whose covariance may be
/// singular (a prior with correlation 1 makes two effects move as one).
/// Pivots that vanish relative to the diagonal give a zero column.
pub fn psd_square_root(a: &Matrix) -> Option<Matrix> {
    factor(a, true)
}

fn factor(a: &Matrix, semi_definite: bool) -> Option<Matrix> {
    let n = a.size;
    let scale = (0..n).map(|i| a.get(i, i).abs()).fold(0.0, f64::max);
    let tolerance = 1e-12 * scale;
    let mut l = Matrix::zeros(n);
    for j in 0..n {
        let pivot = a.get(j, j) - (0..j).map(|k| l.get(j, k).powi(2)).sum::<f64>();
        if !pivot.is_finite() {
            return None;
        }
        if pivot <= tolerance {
            if !semi_definite || pivot < -1e-9 * scale.max(f64::MIN_POSITIVE) {
                return None;
            }
            // A direction with no variance left: the column stays zero.
            continue;
        }
        let d = pivot.sqrt();
        l.set(j, j, d);
        for i in j + 1..n {
            let s = a.get(i, j) - (0..j).map(|k| l.get(i, k) * l.get(j, k)).sum::<f64>();
            l.set(i, j, s / d);
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_inverse_and_determinant_of_a_known_matrix() {
        // numpy: a = [[4, 2, 0.6], [2, 2, 0.5], [0.6, 0.5, 3]]
        // np.linalg.solve(a, [1, 2, 3]) = [-0.54442509, 1.32229965, 0.88850174]
        // np.linalg.det(a) = 11.48
        let a = Matrix::from_rows(&[&[4.0, 2.0, 0.6], &[2.0, 2.0, 0.5], &[0.6, 0.5, 3.0]]);
        let c = Cholesky::of(&a).unwrap();
        let x = c.solve(&[1.0, 2.0, 3.0]);
        for (got, want) in x.iter().zip([-0.54442509, 1.32229965, 0.88850174]) {
            assert!((got - want).abs() < 1e-8);
        }
        assert!((c.log_determinant() - 11.48f64.ln()).abs() < 1e-12);
        let identity = a.times(&c.inverse());
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((identity.get(i, j) - want).abs() < 1e-13);
            }
        }
    }

    #[test]
    fn singular_matrices_are_refused_by_cholesky_but_have_a_square_root() {
        let a = Matrix::from_rows(&[&[1.0, 2.0], &[2.0, 4.0]]);
        assert!(Cholesky::of(&a).is_none());
        let l = psd_square_root(&a).unwrap();
        let mut lt = Matrix::zeros(2);
        for i in 0..2 {
            for j in 0..2 {
                lt.set(i, j, l.get(j, i));
            }
        }
        let back = l.times(&lt);
        for i in 0..2 {
            for j in 0..2 {
                assert!((back.get(i, j) - a.get(i, j)).abs() < 1e-12);
            }
        }
        assert!(psd_square_root(&Matrix::from_rows(&[&[1.0, 0.0], &[0.0, -1.0]])).is_none());
    }
}
