//! SEC002: a dotenv file in the repository that holds real secret values.

use crate::model::DotenvFile;
use crate::parse::dotenv::DotenvEntry;
use crate::registry::Ctx;
use crate::rules::dkr::secret_in_image::is_secret_name;
use std::path::Path;

pub const META: &str = include_str!("committed_env_file.toml");

/// Values that hold no secret: placeholders and the well-known defaults of development stacks
/// (compared lowercase, with punctuation removed).
const NOT_SECRETS: &[&str] = &[
    "changeme",
    "changethis",
    "changeit",
    "replaceme",
    "todo",
    "tbd",
    "fixme",
    "placeholder",
    "dummy",
    "example",
    "sample",
    "test",
    "testing",
    "dev",
    "development",
    "local",
    "postgres",
    "guest",
    "admin",
    "root",
    "password",
    "secret",
    "pass",
    "none",
    "null",
    "redacted",
];

/// Words that make any value a placeholder: `please-change-me`, `replace_with_real_key`.
const PLACEHOLDER_PARTS: &[&str] = &[
    "changeme",
    "changethis",
    "replaceme",
    "replacewith",
    "placeholder",
];

pub fn check(file: &DotenvFile<'_>, ctx: &mut Ctx<'_>) {
    if file.documentation || is_test_env(file.path) {
        return;
    }
    for entry in file.entries {
        let Some(message) = finding(entry) else {
            continue;
        };
        ctx.report(entry.value_span.clone(), message).help(
            "keep real values out of the repository: commit a `.env.example` with placeholders, \
             gitignore the real file and inject values from the deploy's secret store",
        );
    }
}

fn finding(entry: &DotenvEntry) -> Option<String> {
    let value = entry.value.trim();
    if value.is_empty() || is_reference(value) || is_placeholder(value) {
        return None;
    }
    let key = &entry.key;
    if is_secret_name(key) || is_password_name(key) {
        return Some(format!(
            "`{key}` holds a literal secret in a dotenv file kept in the repository: everyone \
             who can read the repository, its forks and clones has it"
        ));
    }
    let host = url_password_host(value)?;
    Some(format!(
        "`{key}` holds the password for `{host}` in a dotenv file kept in the repository: \
         everyone who can read the repository, its forks and clones has it"
    ))
}

/// `DB_PASS`, `SMTP_PWD`: spellings of "password" that the shared secret-name test leaves out.
fn is_password_name(key: &str) -> bool {
    key.to_ascii_uppercase()
        .split('_')
        .any(|p| p == "PASS" || p == "PWD")
}

/// `$VAR`, `${VAR}`, `${VAR:?message}`, `${VAR:-default}`: filled in from the environment when
/// the file is read (docker compose interpolation), not a literal.
fn is_reference(value: &str) -> bool {
    value.starts_with('$')
}

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let wrapped = |open: char, close: char| lower.starts_with(open) && lower.ends_with(close);
    // `<your-key>`, `[YOUR-PASSWORD]`, `{{ vault_secret }}` (a template), `your-secret-here`.
    if wrapped('<', '>')
        || wrapped('[', ']')
        || lower.starts_with("{{")
        || lower.starts_with("your")
    {
        return true;
    }
    let letters: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let mut chars = letters.chars();
    let same_char = chars.next().is_none_or(|first| chars.all(|c| c == first));
    same_char
        || NOT_SECRETS.contains(&letters.as_str())
        || PLACEHOLDER_PARTS.iter().any(|p| letters.contains(p))
}

/// For `scheme://user:password@host…` with a literal password, the host, unless it is local:
/// `localhost`, a loopback or unspecified address, `host.docker.internal`, or a single-label
/// name (a compose service such as `db`, reachable only inside its network).
fn url_password_host(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, hostport) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    if password.is_empty() || is_reference(password) || is_placeholder(password) {
        return None;
    }
    let host = match hostport.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => hostport.split(':').next()?,
    };
    let local = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip.is_unspecified(),
        Err(_) => {
            host.is_empty()
                || host.eq_ignore_ascii_case("localhost")
                || host.eq_ignore_ascii_case("host.docker.internal")
                || !host.contains('.')
                || host.starts_with('$')
        }
    };
    (!local).then_some(host)
}

/// `.env.test`, `test.env`, `.env.ci`, files under `tests/`: credentials of throwaway test
/// services.
fn is_test_env(path: &Path) -> bool {
    let test_word = |s: &str| {
        s.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|p| matches!(p, "test" | "tests" | "testing" | "ci" | "e2e"))
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    test_word(name)
        || path
            .parent()
            .into_iter()
            .flat_map(|p| p.components())
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_passwords() {
        assert_eq!(
            url_password_host("postgresql+asyncpg://u:Pr0d-S3cret@db.example.internal:5432/app"),
            Some("db.example.internal")
        );
        assert_eq!(
            url_password_host("postgresql://u:s3cr3t@localhost:5432/app"),
            None
        );
        assert_eq!(url_password_host("postgresql://u:s3cr3t@db:5432/app"), None);
        assert_eq!(
            url_password_host("postgresql://u:s3cr3t@127.0.0.1/app"),
            None
        );
        assert_eq!(
            url_password_host("postgresql://u:s3cr3t@[::1]:5432/app"),
            None
        );
        assert_eq!(
            url_password_host("postgresql://u:s3cr3t@10.0.3.7/app"),
            Some("10.0.3.7")
        );
        assert_eq!(
            url_password_host("postgresql://u:${PG_PASSWORD}@db.prod.io/app"),
            None
        );
        assert_eq!(url_password_host("redis://redis.prod.io:6379/0"), None);
        assert_eq!(url_password_host("https://key@o1.ingest.sentry.io/2"), None);
        assert_eq!(url_password_host("amqp://guest:guest@mq.prod.io//"), None);
        assert_eq!(
            url_password_host("postgres://u:pw@[2001:db8::1]:5432/x"),
            Some("2001:db8::1")
        );
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "CHANGE_ME",
            "change-this",
            "please_change_me_in_prod",
            "<your key>",
            "[YOUR-PASSWORD]",
            "{{ vault_db_password }}",
            "your-secret-key",
            "xxxx",
            "***",
            "...",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for s in ["9f8e7d6c5b4a", "prod-jwt-secret-4b1d9e", "sk_live_abc"] {
            assert!(!is_placeholder(s), "{s}");
        }
    }

    #[test]
    fn test_env_files() {
        assert!(is_test_env(Path::new(".env.test")));
        assert!(is_test_env(Path::new("backend/tests/.env")));
        assert!(is_test_env(Path::new("ci.env")));
        assert!(!is_test_env(Path::new("config/production.env")));
        assert!(!is_test_env(Path::new(".env")));
        assert!(!is_test_env(Path::new("latest.env")));
    }
}
