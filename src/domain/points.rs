//! Exact points: hundredths of a point held as an integer, so a 110-point paper always totals 110.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A non-negative or signed amount of points, exact to the hundredth.
///
/// Papers write points as decimals (`2`, `2.5`, `0.25`); anything finer than a hundredth is refused
/// rather than rounded, because a recruiter who wrote `0.333` meant something we cannot store exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(i64);

/// Why a number is not a valid amount of points.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    /// The value is not a finite number.
    #[error("points must be a number")]
    NotANumber,
    /// The value has more than two decimals.
    #[error("points are exact to the hundredth (at most two decimals)")]
    TooFine,
    /// The value is beyond any sensible paper.
    #[error("points are out of range")]
    OutOfRange,
}

const LIMIT: i64 = 100_000_000;

impl Points {
    /// Zero points.
    pub const ZERO: Points = Points(0);

    /// Points from hundredths (`250` is 2.5 points).
    pub const fn from_hundredths(h: i64) -> Points {
        Points(h)
    }

    /// Whole points.
    pub const fn whole(p: i64) -> Points {
        Points(p * 100)
    }

    /// The amount in hundredths, as stored in the database.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// Parses a decimal such as `2`, `2.5` or `0.25`.
    pub fn from_f64(v: f64) -> Result<Points, PointsError> {
        if !v.is_finite() {
            return Err(PointsError::NotANumber);
        }
        let scaled = v * 100.0;
        let rounded = scaled.round();
        if (scaled - rounded).abs() > 1e-6 {
            return Err(PointsError::TooFine);
        }
        if rounded.abs() > LIMIT as f64 {
            return Err(PointsError::OutOfRange);
        }
        Ok(Points(rounded as i64))
    }

    /// Parses decimal text such as `2`, `2.5`, `０.５` is not accepted (callers normalise width first).
    pub fn parse(s: &str) -> Result<Points, PointsError> {
        let s = s.trim();
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let valid_int = !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit());
        if !valid_int || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PointsError::NotANumber);
        }
        if frac.len() > 2 && frac[2..].bytes().any(|b| b != b'0') {
            return Err(PointsError::TooFine);
        }
        let whole: i64 = int.parse().map_err(|_| PointsError::OutOfRange)?;
        let mut cents = 0;
        for (i, b) in frac.bytes().take(2).enumerate() {
            cents += i64::from(b - b'0') * if i == 0 { 10 } else { 1 };
        }
        let value = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(cents))
            .filter(|v| *v <= LIMIT)
            .ok_or(PointsError::OutOfRange)?;
        Ok(Points(if neg { -value } else { value }))
    }

    /// The value as a float, for statistics and JSON output only (never for arithmetic on points).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// `self × num / den`, rounded to the nearest hundredth (halves away from zero).
    ///
    /// Partial credit such as 3 × 3/4 = 2.25 is exact; 2 × 1/3 rounds to 0.67.
    pub fn scale(self, num: i64, den: i64) -> Points {
        if den == 0 {
            return Points::ZERO;
        }
        let n = i128::from(self.0) * i128::from(num);
        let d = i128::from(den);
        let q = n / d;
        let r = n % d;
        let adjust = if 2 * r.abs() >= d.abs() { n.signum() * d.signum() } else { 0 };
        Points((q + adjust) as i64)
    }

    /// Clamps into `lo..=hi`.
    pub fn clamp_to(self, lo: Points, hi: Points) -> Points {
        Points(self.0.clamp(lo.0, hi.0.max(lo.0)))
    }

    /// Whether the amount is above zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Whether the amount is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, cents) = (abs / 100, abs % 100);
        match cents {
            0 => write!(f, "{sign}{whole}"),
            c if c % 10 == 0 => write!(f, "{sign}{whole}.{}", c / 10),
            c => write!(f, "{sign}{whole}.{c:02}"),
        }
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, rhs: Points) -> Points {
        Points(self.0 + rhs.0)
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, rhs: Points) {
        self.0 += rhs.0;
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, rhs: Points) -> Points {
        Points(self.0 - rhs.0)
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Whole points stay integers in the document (`points: 2`, not `2.0`).
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Points, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let parsed = match Raw::deserialize(d)? {
            Raw::Int(i) => i.checked_mul(100).filter(|v| v.abs() <= LIMIT).map(Points).ok_or(PointsError::OutOfRange),
            Raw::Float(f) => Points::from_f64(f),
            Raw::Text(t) => Points::parse(&t),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_exactly() {
        assert_eq!(Points::parse("2.5"), Ok(Points(250)));
        assert_eq!(Points::parse("0.25"), Ok(Points(25)));
        assert_eq!(Points::parse("3"), Ok(Points(300)));
        assert_eq!(Points::parse("1.250"), Ok(Points(125)));
        assert_eq!(Points::parse("0.333"), Err(PointsError::TooFine));
        assert_eq!(Points::parse("abc"), Err(PointsError::NotANumber));
        assert_eq!(Points::from_f64(0.29), Ok(Points(29)));
        assert_eq!(Points::from_f64(0.125), Err(PointsError::TooFine));
    }

    #[test]
    fn a_hundred_and_ten_point_paper_adds_up() {
        let parts = [Points::parse("0.1").unwrap(); 1100];
        assert_eq!(parts.iter().copied().sum::<Points>(), Points::whole(110));
    }

    #[test]
    fn scale_rounds_to_the_hundredth() {
        assert_eq!(Points::whole(3).scale(3, 4), Points(225));
        assert_eq!(Points::whole(2).scale(1, 3), Points(67));
        assert_eq!(Points::whole(2).scale(2, 3), Points(133));
    }

    #[test]
    fn serialises_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&Points(200)).unwrap(), "2");
        assert_eq!(serde_json::to_string(&Points(250)).unwrap(), "2.5");
        assert_eq!(serde_json::from_str::<Points>("2.25").unwrap(), Points(225));
        assert_eq!(serde_json::from_str::<Points>("\"1.5\"").unwrap(), Points(150));
        assert_eq!(Points(-150).to_string(), "-1.5");
        assert_eq!(Points(205).to_string(), "2.05");
    }
}
