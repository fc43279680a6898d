//! Python version ranges at `X.Y` granularity: PEP 440 specifiers (`requires-python =
//! ">=3.10,<3.13"`, PEP 440 "Version specifiers") and Poetry's constraints (`python = "^3.10"`,
//! Poetry docs "Dependency specification"). A bound on a patch release keeps its minor version
//! admitted (`<3.12.5` still admits some 3.12), since runtimes are compared as `X.Y`.

use crate::facts::PyVersion;

/// The inclusive `X.Y` range a constraint admits: (lowest, highest or unbounded). `None` when
/// it cannot be read (`||` unions, wildcards we do not model) or admits nothing.
pub fn range(spec: &str) -> Option<(PyVersion, Option<PyVersion>)> {
    if spec.contains("||") || spec.contains('|') {
        return None;
    }
    let mut low: PyVersion = (0, 0);
    let mut high: Option<PyVersion> = None;
    let mut any = false;
    for part in spec.split(',') {
        let part = part.trim();
        if part.is_empty() || part == "*" {
            continue;
        }
        let (op, version) = split_op(part)?;
        let (parts, wildcard) = numbers(version)?;
        let major = *parts.first()?;
        let minor = parts.get(1).copied();
        let patch = parts.get(2).copied();
        let mm = (major, minor.unwrap_or(0));
        let (lo, hi): (Option<PyVersion>, Option<PyVersion>) = match op {
            ">=" | ">" => (Some(mm), None),
            "<=" => (
                None,
                Some(match minor {
                    Some(m) => (major, m),
                    None => (major, 99),
                }),
            ),
            "<" => (
                None,
                Some(match (minor, patch) {
                    (None, _) => (major.checked_sub(1)?, 99),
                    (Some(m), Some(p)) if p > 0 => (major, m),
                    (Some(0), _) => (major.checked_sub(1)?, 99),
                    (Some(m), _) => (major, m - 1),
                }),
            ),
            "==" | "===" if wildcard && minor.is_none() => (Some((major, 0)), Some((major, 99))),
            "==" | "===" => (Some(mm), Some(mm)),
            "!=" => (None, None),
            // `~=3.10` is `>=3.10, ==3.*`; `~=3.10.2` is `>=3.10.2, ==3.10.*`.
            "~=" => match patch {
                Some(_) => (Some(mm), Some(mm)),
                None => (Some(mm), Some((major, 99))),
            },
            // Poetry: `^3.10` is `>=3.10,<4.0`; `~3.10` is `>=3.10,<3.11`.
            "^" => (Some(mm), Some((major, 99))),
            "~" => match minor {
                Some(_) => (Some(mm), Some(mm)),
                None => (Some(mm), Some((major, 99))),
            },
            // A bare version in Poetry is an exact pin.
            "" => (
                Some(mm),
                Some(if minor.is_none() { (major, 99) } else { mm }),
            ),
            _ => return None,
        };
        any = true;
        if let Some(lo) = lo {
            low = low.max(lo);
        }
        if let Some(hi) = hi {
            high = Some(high.map_or(hi, |h: PyVersion| h.min(hi)));
        }
    }
    if !any || high.is_some_and(|h| h < low) {
        return None;
    }
    Some((low, high))
}

fn split_op(part: &str) -> Option<(&str, &str)> {
    for op in ["===", "~=", "==", "!=", ">=", "<=", ">", "<", "^", "~"] {
        if let Some(rest) = part.strip_prefix(op) {
            return Some((op, rest.trim()));
        }
    }
    part.starts_with(|c: char| c.is_ascii_digit())
        .then_some(("", part))
}

/// `3.10.*` -> ([3, 10], wildcard); `3.12.1` -> [3, 12, 1]. Pre-release suffixes end a part.
fn numbers(version: &str) -> Option<(Vec<u32>, bool)> {
    let mut out = Vec::new();
    let mut wildcard = false;
    for piece in version.split('.') {
        if piece == "*" {
            wildcard = true;
            break;
        }
        let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            break;
        }
        out.push(digits.parse().ok()?);
        if digits.len() != piece.len() {
            break;
        }
    }
    (!out.is_empty()).then_some((out, wildcard))
}

#[cfg(test)]
mod tests {
    use super::range;

    #[test]
    fn pep440() {
        assert_eq!(range(">=3.10"), Some(((3, 10), None)));
        assert_eq!(range(">=3.10,<3.13"), Some(((3, 10), Some((3, 12)))));
        assert_eq!(range(">=3.9, <4"), Some(((3, 9), Some((3, 99)))));
        assert_eq!(range("<3.12.5,>=3.8"), Some(((3, 8), Some((3, 12)))));
        assert_eq!(range("==3.11.*"), Some(((3, 11), Some((3, 11)))));
        assert_eq!(range("~=3.10"), Some(((3, 10), Some((3, 99)))));
        assert_eq!(range(">=3.8,!=3.9.1"), Some(((3, 8), None)));
        assert_eq!(range("<3.0"), Some(((0, 0), Some((2, 99)))));
    }

    #[test]
    fn poetry() {
        assert_eq!(range("^3.10"), Some(((3, 10), Some((3, 99)))));
        assert_eq!(range("~3.11"), Some(((3, 11), Some((3, 11)))));
        assert_eq!(range(">=3.10,<3.13"), Some(((3, 10), Some((3, 12)))));
        assert_eq!(range("3.11.*"), Some(((3, 11), Some((3, 11)))));
        assert_eq!(range("^3.8 || ^3.10"), None);
        assert_eq!(range("*"), None);
    }
}
