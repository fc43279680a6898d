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
    // Defaults of public images and their tutorials: Patroni/Spilo (`replicate`, `rewind`,
    // `zalando`), MinIO (`minioadmin`), RabbitMQ (`guest`), the postgres image's docs
    // (`mysecretpassword`).
    "replicate",
    "replicator",
    "repl",
    "reppass",
    "rewind",
    "rewindpass",
    "standby",
    "zalando",
    "minioadmin",
    "minio123",
    "mysecretpassword",
    "supersecret",
    "superuser",
    "user",
    "app",
    "demo",
    "default",
    "pass123",
    "password123",
    "secret123",
    "admin123",
    "123456",
    "12345678",
    "qwerty",
    "foobar",
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
    // A file that holds a well-known default for one secret is a demo file: every short,
    // hand-typed value in it is judged the same way (`postgres`, `admin`, `replicate`,
    // `app-pw`), and only values that look generated are reported.
    let demo = file
        .entries
        .iter()
        .any(|e| is_secret_key(&e.key) && is_known_default(e.value.trim()));
    for entry in file.entries {
        if demo && !looks_generated(entry.value.trim()) {
            continue;
        }
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
    if value.is_empty() || is_reference(value) || is_known_default(value) {
        return None;
    }
    let key = &entry.key;
    if is_secret_key(key) && !is_path_value(value) {
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

fn is_secret_key(key: &str) -> bool {
    is_secret_name(key) || is_password_name(key) || is_key_material_name(key)
}

/// `DATA_ENCRYPTION_KEY`, `GCP_CREDENTIALS`, `SIGNING_PRIVATE_KEY`, `FERNET_KEY`: key material
/// and credential blobs under names the shared secret-name test leaves out.
fn is_key_material_name(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    let last = parts.last().copied().unwrap_or("");
    matches!(last, "CREDENTIALS" | "CREDENTIAL" | "CREDS")
        || parts.windows(2).any(|w| {
            w[1] == "KEY"
                && matches!(
                    w[0],
                    "ENCRYPTION" | "PRIVATE" | "SIGNING" | "MASTER" | "FERNET" | "CIPHER" | "HMAC"
                )
        })
}

/// `/run/secrets/gcp.json`, `./creds.json`: where a credential is, not the credential.
fn is_path_value(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']);
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.ends_with(".json")
        || v.ends_with(".pem")
}

/// A value a list of public defaults or placeholders holds, or a `user:password` pair whose
/// password repeats the user (`dispatch:dispatch`).
fn is_known_default(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']);
    let same_pair = v
        .split_once(':')
        .is_some_and(|(user, pw)| !user.is_empty() && user == pw);
    !v.is_empty() && !is_reference(v) && (is_placeholder(v) || same_pair)
}

/// A value that looks machine-made rather than typed: 16 characters or more, or three kinds
/// of characters among lower case, upper case, digits and symbols.
fn looks_generated(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']);
    let kinds = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    v.len() >= 16 || kinds.iter().filter(|k| **k).count() >= 3
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
