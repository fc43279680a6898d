//! Credential formats SEC001 recognises in any text: each has a documented shape, so a match is
//! a credential and not a guess from a variable name.
//!
//! Sources for the shapes (read 2026-08):
//! - AWS access key ids: 20 characters, a 4-letter prefix naming the kind (`AKIA` long-term
//!   access key, `ASIA` temporary STS key, `ABIA` STS bearer token, `ACCA` context-specific
//!   credential) and 16 upper-case letters or digits. AWS IAM User Guide, "IAM identifiers",
//!   unique ID prefixes; STS `GetAccessKeyInfo` docs (AKIA = long-term, ASIA = temporary).
//!   `AKIAIOSFODNN7EXAMPLE` is the placeholder AWS documentation uses. gitleaks
//!   `cmd/generate/config/rules/aws.go` uses the same shape and allow-lists `…EXAMPLE`.
//! - GitHub tokens: `ghp_` (personal), `gho_` (OAuth), `ghu_`/`ghs_` (app user/server), `ghr_`
//!   (refresh) followed by 36 of `[A-Za-z0-9]` (GitHub changelog 2021-03-31 "Authentication
//!   token format updates are generally available"); fine-grained personal tokens
//!   `github_pat_` + 82 of `[A-Za-z0-9_]` (gitleaks `github.go`, `github-fine-grained-pat`).
//! - Slack tokens: `xoxb-` bot, `xoxp-`/`xoxe-` user, `xoxa-`/`xoxr-` workspace, `xoxo-`/`xoxs-`
//!   legacy, numeric team/user segments then a random tail (Slack API docs "Token types";
//!   gitleaks `slack.go` shapes, whose false-positive lists — `xoxb-xxx`, `xoxp-1234567890` —
//!   are rejected here by the length, digit-segment and variety checks), and app-level tokens
//!   `xapp-1-A…-digits-hex`.
//! - PEM private keys: RFC 7468 §2 encapsulation boundary `-----BEGIN <label>-----` with a
//!   label ending in `PRIVATE KEY` (`RSA PRIVATE KEY`, `EC PRIVATE KEY`, `OPENSSH PRIVATE KEY`,
//!   `ENCRYPTED PRIVATE KEY`, PKCS#8 `PRIVATE KEY`), followed by base64 text. A boundary line
//!   alone (code that checks `startswith("-----BEGIN RSA PRIVATE KEY-----")`) is not a key: at
//!   least 64 base64 characters must follow, as gitleaks `privatekey.go` requires.
//! - URLs with a password: RFC 3986 §3.2.1 `scheme://user:password@host` (the form is
//!   deprecated there precisely because the password travels in clear text). Only reported for
//!   hosts that are not local: loopback, single-label names (compose services such as `db`),
//!   `.local`/`.internal`/`.test`/`.example`/`.invalid`/`.localhost` (RFC 6761, RFC 2606) and
//!   the `example.com/.net/.org` documentation domains are local or placeholders.

/// One credential found in a text: byte range and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub start: usize,
    pub end: usize,
    pub what: &'static str,
}

/// Longest token, URL scheme and URL authority looked at: bounds keep hostile inputs linear.
const MAX_TOKEN: usize = 256;
const MAX_SCHEME: usize = 32;
const MAX_AUTHORITY: usize = 1024;

/// What a URL with an inline password is reported as.
pub const URL_PASSWORD: &str = "a URL with an inline password";

/// Every credential in `text`, in order of position.
pub fn find(text: &str) -> Vec<Credential> {
    let mut out = Vec::new();
    aws(text, &mut out);
    github(text, &mut out);
    slack(text, &mut out);
    pem(text, &mut out);
    url_password(text, &mut out);
    out.sort_by_key(|c| c.start);
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Positions of `needle` in `text` that start a word.
fn word_starts<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = usize> + 't {
    let bytes = text.as_bytes();
    text.match_indices(needle)
        .map(|(i, _)| i)
        .filter(move |&i| i == 0 || !is_word_byte(bytes[i - 1]))
}

/// Shannon entropy in bits per character; random tokens are above 3, placeholders
/// (`AKIAXXXXXXXXXXXXXXXX`) below.
fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn aws(text: &str, out: &mut Vec<Credential>) {
    let bytes = text.as_bytes();
    for prefix in ["AKIA", "ASIA", "ABIA", "ACCA"] {
        for start in word_starts(text, prefix) {
            let end = start + 20;
            let Some(id) = text.get(start..end) else {
                continue;
            };
            let shaped = id[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            let bounded = bytes.get(end).is_none_or(|&b| !is_word_byte(b));
            if shaped && bounded && !id.ends_with("EXAMPLE") && entropy(id) >= 3.0 {
                out.push(Credential {
                    start,
                    end,
                    what: "an AWS access key id",
                });
            }
        }
    }
}

fn github(text: &str, out: &mut Vec<Credential>) {
    let bytes = text.as_bytes();
    // Capped: a token is at most 255 characters, and a run of `ghp_ghp_…` must stay linear.
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
        bytes[from..]
            .iter()
            .take(MAX_TOKEN)
            .take_while(|&&b| ok(b))
            .count()
    };
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        for start in word_starts(text, prefix) {
            let body = start + 4;
            let len = run(body, &|b| b.is_ascii_alphanumeric());
            // Exactly 36 today; GitHub reserves the right to grow them (up to 255 characters).
            if len >= 36 && entropy(&text[body..body + len]) >= 3.0 {
                out.push(Credential {
                    start,
                    end: body + len,
                    what: "a GitHub token",
                });
            }
        }
    }
    for start in word_starts(text, "github_pat_") {
        let body = start + "github_pat_".len();
        let len = run(body, &|b| b.is_ascii_alphanumeric() || b == b'_');
        if len >= 82 && entropy(&text[body..body + len]) >= 3.0 {
            out.push(Credential {
                start,
                end: body + len,
                what: "a GitHub fine-grained token",
            });
        }
    }
}

fn slack(text: &str, out: &mut Vec<Credential>) {
    let bytes = text.as_bytes();
    for prefix in [
        "xoxb-", "xoxp-", "xoxe-", "xoxa-", "xoxr-", "xoxo-", "xoxs-", "xapp-",
    ] {
        // A token cannot start inside the one just read (`xoxb-xoxb-…` is read once).
        let mut scanned_to = 0;
        for start in word_starts(text, prefix) {
            if start < scanned_to {
                continue;
            }
            let body = start + prefix.len();
            let len = bytes[body..]
                .iter()
                .take(MAX_TOKEN)
                .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-')
                .count();
            scanned_to = body + len;
            let token = &text[body..body + len];
            let segments: Vec<&str> = token.split('-').collect();
            let numeric = |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            // Real tokens carry a team or app id of at least 8 digits and a random tail.
            let has_id = segments.iter().any(|s| numeric(s) && s.len() >= 8);
            let tail = segments.last().copied().unwrap_or("");
            if segments.len() >= 2 && has_id && len >= 20 && tail.len() >= 8 && entropy(tail) >= 3.0
            {
                out.push(Credential {
                    start,
                    end: body + len,
                    what: "a Slack token",
                });
            }
        }
    }
}

fn pem(text: &str, out: &mut Vec<Credential>) {
    const BEGIN: &str = "-----BEGIN ";
    for (start, _) in text.match_indices(BEGIN) {
        let rest = &text[start + BEGIN.len()..];
        let Some(label_end) = rest.find("-----") else {
            continue;
        };
        let label = &rest[..label_end];
        if label.len() > 40 || !label.ends_with("PRIVATE KEY") {
            continue;
        }
        let body_start = start + BEGIN.len() + label_end + 5;
        if base64_after(&text[body_start..]) >= 64 {
            out.push(Credential {
                start,
                end: body_start,
                what: "a PEM private key",
            });
        }
    }
}

/// Base64 characters following a PEM boundary, skipping line breaks (real or written `\n`),
/// spaces, quotes and RFC 1421 header lines (`Proc-Type: …`); stops at the first other character.
fn base64_after(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut i, mut count) = (0, 0);
    while i < b.len() && count < 64 {
        let c = b[i];
        if c == b'\\' && matches!(b.get(i + 1), Some(b'n' | b'r')) {
            i += 2;
        } else if c.is_ascii_whitespace() || c == b'"' || c == b'\'' {
            i += 1;
        } else if text[i..].starts_with("Proc-Type:") || text[i..].starts_with("DEK-Info:") {
            let rest = &text[i..];
            let line_end = [rest.find('\n'), rest.find("\\n")]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(rest.len());
            i += line_end;
        } else if c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=' {
            count += 1;
            i += 1;
        } else {
            break;
        }
    }
    count
}

fn url_password(text: &str, out: &mut Vec<Credential>) {
    let bytes = text.as_bytes();
    for (sep, _) in text.match_indices("://") {
        let from = sep.saturating_sub(MAX_SCHEME);
        let scheme_start = bytes[from..sep]
            .iter()
            .rposition(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.'))
            .map_or(from, |i| from + i + 1);
        let scheme = &text[scheme_start..sep];
        if scheme.len() < 2 || !scheme.as_bytes()[0].is_ascii_alphabetic() {
            continue;
        }
        let auth_start = sep + 3;
        let auth_len = bytes[auth_start..]
            .iter()
            .take(MAX_AUTHORITY)
            .position(|&b| {
                matches!(
                    b,
                    b'/' | b'?'
                        | b'#'
                        | b'"'
                        | b'\''
                        | b'`'
                        | b'<'
                        | b'>'
                        | b'\\'
                        | b'|'
                        | b'('
                        | b')'
                        | b'['
                        | b']'
                        | b','
                ) || b.is_ascii_whitespace()
            })
            .unwrap_or((bytes.len() - auth_start).min(MAX_AUTHORITY));
        // The length cap may fall inside a multi-byte character: back off to its start.
        let mut auth_end = auth_start + auth_len;
        while !text.is_char_boundary(auth_end) {
            auth_end -= 1;
        }
        let auth_len = auth_end - auth_start;
        let authority = &text[auth_start..auth_end];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let (userinfo, host_port) = (&authority[..at], &authority[at + 1..]);
        let Some((_, password)) = userinfo.split_once(':') else {
            continue;
        };
        if password.is_empty() || is_placeholder_password(password) || is_local_host(host_port) {
            continue;
        }
        out.push(Credential {
            start: scheme_start,
            end: auth_start + auth_len,
            what: URL_PASSWORD,
        });
    }
}

/// Passwords that are not one: references (`${DB_PASSWORD}`, `$PASS`, `%s`, `{password}`,
/// `<password>`), masks (`****`, `xxxx`) and the word itself.
fn is_placeholder_password(password: &str) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "pass",
        "pwd",
        "pw",
        "secret",
        "token",
        "mypassword",
        "yourpassword",
        "your_password",
        "your-password",
        "user_password",
        "db_password",
        "redacted",
    ];
    let lower = password.to_ascii_lowercase();
    password.contains(['$', '{', '}', '<', '>', '*'])
        || password.contains("%s")
        || password.contains("%(")
        || lower.chars().all(|c| matches!(c, 'x' | '.' | '-' | '_'))
        || WORDS.contains(&lower.as_str())
}

fn is_local_host(host_port: &str) -> bool {
    // `[::1]:5432` / `host:port`.
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let host = host.to_ascii_lowercase();
    if host.is_empty()
        || host.contains(['$', '{', '}', '<', '>', '%', '*'])
        || !host.contains('.')
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "::1"
        || host.starts_with("169.254.")
        || host.starts_with("your")
        || host.contains("example")
    {
        return true;
    }
    const LOCAL_SUFFIXES: &[&str] = &[
        ".local",
        ".localhost",
        ".internal",
        ".test",
        ".example",
        ".invalid",
        ".lan",
        ".home.arpa",
        ".localdomain",
    ];
    LOCAL_SUFFIXES.iter().any(|s| host.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::find;

    fn whats(text: &str) -> Vec<&'static str> {
        find(text).into_iter().map(|c| c.what).collect()
    }

    #[test]
    fn a_url_cut_inside_a_multibyte_character_does_not_panic() {
        // Found by the fuzzer (seed 20261203, case 16453): the authority's length cap fell
        // inside an emoji.
        let text = format!(
            "REDIS_URL=redis://:hunter2hunter@cache.acme.io:6379{}",
            "\u{1F600}".repeat(400)
        );
        let _ = find(&text);
        for pad in 0..4 {
            let text = format!(
                "u=redis://:pw1234567@h{}{}",
                "x".repeat(pad),
                "\u{e9}".repeat(300)
            );
            let _ = find(&text);
        }
    }

    #[test]
    fn recognises_real_shapes() {
        // Shapes from the sources above (gitleaks true-positive samples, not live credentials).
        assert_eq!(
            whats("key = AKIALALEMEL33243OLIB"),
            ["an AWS access key id"]
        );
        assert_eq!(
            whats("t = 'ghp_R4nd0mT0k3nV4lu3Abcdefghij1234567890'"),
            ["a GitHub token"]
        );
        assert_eq!(
            whats("xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD"),
            ["a Slack token"]
        );
        let key = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"
        );
        assert_eq!(whats(&key), ["a PEM private key"]);
        let escaped = key.replace('\n', "\\n");
        assert_eq!(whats(&escaped), ["a PEM private key"]);
        assert_eq!(
            whats("DATABASE_URL=postgresql://app:s3cr3t-Pw@db.prod.acme.io:5432/app"),
            ["a URL with an inline password"]
        );
        assert_eq!(
            whats("redis://:hunter2hunter@cache.acme.io:6379/0"),
            ["a URL with an inline password"]
        );
    }

    #[test]
    fn hostile_runs_stay_linear() {
        // Quadratic scanning would take minutes on these; bounded scans take milliseconds.
        for unit in ["xoxb-", "ghp_", "a://", "-----BEGIN ", "AKIA"] {
            let text = unit.repeat(400_000 / unit.len());
            let started = std::time::Instant::now();
            let _ = find(&text);
            assert!(started.elapsed().as_secs() < 5, "{unit}");
        }
    }

    #[test]
    fn rejects_placeholders_and_local_urls() {
        for text in [
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAXXXXXXXXXXXXXXXX",
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "ghp_short",
            "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx",
            "xoxp-1234567890",
            "xoxb-12345-abcd234",
            "if pem.startswith('-----BEGIN RSA PRIVATE KEY-----'):",
            "postgresql://postgres:postgres@db:5432/app",
            "postgresql://postgres:postgres@localhost/app",
            "postgresql://user:password@prod.acme.io/app",
            "postgresql://user:${DB_PASSWORD}@prod.acme.io/app",
            "postgresql://user:%s@%s/app",
            "postgresql://{user}:{password}@{host}/app",
            "https://user:pass@example.com/x",
            "redis://:secret@127.0.0.1:6379",
            "mysql://root:root@mysql.internal/db",
            "https://docs.acme.io/a@b",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }
}
