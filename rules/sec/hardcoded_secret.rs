//! SEC001: secrets written into the repository. Two checks: Python literals given to a
//! secret-like name (assignment, settings-class default, keyword argument, parameter default,
//! dict key), and known credential formats in the text of every file (in Python, only inside
//! string literals; a literal is reported once, by its format when it has one).

use super::credentials::{self, Credential};
use crate::kind::FileKind;
use crate::python::{span_of, PythonModule};
use crate::registry::{Ctx, TextFile};
use crate::rules::dkr::secret_in_image::is_secret_name;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, InterpolatedStringElement, Stmt};
use ruff_text_size::Ranged;

pub const META: &str = include_str!("hardcoded_secret.toml");

const HELP: &str = "read it from the environment (`os.environ[\"NAME\"]`, a pydantic-settings field without a default) or a secret manager, and rotate the one committed";

/// Credential formats anywhere in a file's text. Python files are covered by [`name_check`],
/// which looks only inside string literals and reports each literal once.
pub fn format_check(file: &TextFile<'_>, ctx: &mut Ctx<'_>) {
    if file.kind == FileKind::Python {
        return;
    }
    for found in credentials::find(file.text) {
        // A URL with a password in a comment documents the shape; a token in one is a leak.
        if found.what == credentials::URL_PASSWORD && in_comment(file.text, found.start) {
            continue;
        }
        report_credential(ctx, found.start..found.end, &found);
    }
}

/// Whether the line holding `at` is a comment (`#`, `--`, `//`) up to it. Only the 4 KiB
/// before it are read, so a file of one huge line stays linear.
fn in_comment(text: &str, at: usize) -> bool {
    let mut from = at.saturating_sub(4096);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let line_start = text[from..at].rfind('\n').map_or(from, |i| from + i + 1);
    let before = text[line_start..at].trim_start();
    ["#", "--", "//"].iter().any(|c| before.starts_with(c))
}

/// Findings in test files are lowered to warnings by the engine (`role-severity`).
fn report_credential(ctx: &mut Ctx<'_>, span: crate::source::Span, found: &Credential) {
    ctx.report(
        span,
        format!("{} is committed in the repository", found.what),
    )
    .help(HELP);
}

pub fn name_check(module: &PythonModule<'_>, ctx: &mut Ctx<'_>) {
    // Type stubs declare, they hold no runtime values (`TokenFormatIsInvalid: Final = "91718"`).
    let stub = module.path.extension().is_some_and(|e| e == "pyi");
    let mut visitor = SecretVisitor {
        module,
        ctx,
        docstring: false,
        example: u32::from(stub),
    };
    for stmt in &module.ast.body {
        visitor.visit_stmt(stmt);
    }
}

struct SecretVisitor<'m, 'c, 'x> {
    module: &'m PythonModule<'m>,
    ctx: &'c mut Ctx<'x>,
    /// Inside a docstring (or another bare string statement): documentation.
    docstring: bool,
    /// Names are not judged while this is above 0: inside documentation values
    /// (`Field(examples=[…])`, `json_schema_extra={…}`, `{"example": {…}}`), and in stubs.
    example: u32,
}

impl SecretVisitor<'_, '_, '_> {
    /// Credential formats in one piece of literal text whose source starts at `source_start`.
    fn formats(&mut self, value: &str, node: &impl Ranged) {
        let mut found = credentials::find(value);
        // `scheme://user:password@host` in documentation is an example of the URL shape
        // (`redis://user:SuperSecret@myhost.com`); the token formats are reported anywhere.
        if self.docstring {
            found.retain(|c| c.what != credentials::URL_PASSWORD);
        }
        if found.is_empty() {
            return;
        }
        let span = span_of(node);
        let source = self.module.text.get(span.clone()).unwrap_or("");
        for c in found {
            // Point at the credential itself when the source spells it as written (no escapes
            // in between), else at the literal.
            let matched = &value[c.start..c.end];
            let at = match source.find(matched) {
                Some(i) => span.start + i..span.start + i + matched.len(),
                None => span.clone(),
            };
            report_credential(self.ctx, at, &c);
        }
    }

    /// `name = value`: reports a literal secret given to a secret-like name.
    fn named_value(&mut self, name: &str, value: &Expr) {
        if self.example > 0 || !is_python_secret_name(name) {
            return;
        }
        let Some((literal, node)) = self.literal_of(value) else {
            return;
        };
        if !is_plausible_secret(name, &literal) || !credentials::find(&literal).is_empty() {
            return;
        }
        self.ctx
            .report(
                span_of(node),
                format!("`{name}` is given a hard-coded secret"),
            )
            .help(HELP);
    }

    /// The literal a value spells: a string, or one wrapped in `SecretStr("…")` /
    /// `Field("…")` / `Field(default="…")`.
    fn literal_of<'e>(&self, value: &'e Expr) -> Option<(String, &'e Expr)> {
        match value {
            Expr::StringLiteral(s) => Some((s.value.to_str().to_string(), value)),
            Expr::BytesLiteral(b) => {
                let bytes: Vec<u8> = b.value.bytes().collect();
                Some((String::from_utf8_lossy(&bytes).into_owned(), value))
            }
            Expr::Call(call) => {
                let callee = self.module.summary.qualify_expr(&call.func)?;
                let last = callee.rsplit('.').next().unwrap_or(&callee);
                let inner = match last {
                    "SecretStr" | "SecretBytes" => call.arguments.find_positional(0),
                    "Field" => call.arguments.find_argument_value("default", 0),
                    _ => None,
                }?;
                self.literal_of(inner)
            }
            _ => None,
        }
    }

    /// `os.getenv("SECRET_KEY", "…")`, `os.environ.get(…, "…")`, `config("SECRET_KEY",
    /// default="…")` (starlette, decouple), `env.str("SECRET_KEY", default="…")`: the literal
    /// default is the secret whenever the variable is unset.
    fn env_default(&mut self, call: &ruff_python_ast::ExprCall) {
        let Some(name) = call
            .arguments
            .find_positional(0)
            .and_then(crate::python::string_value)
        else {
            return;
        };
        let func = crate::python::dotted(&call.func).unwrap_or_default();
        let last = func.rsplit('.').next().unwrap_or(&func);
        let env_lookup = match last {
            "getenv" | "config" => true,
            "get" | "setdefault" => {
                func.ends_with("environ.get") || func.ends_with("environ.setdefault")
            }
            "str" => func.starts_with("env."),
            _ => false,
        };
        // The variable's name is spelled as one (`SECRET_KEY`), not a dict key of any kind.
        let env_name = name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !env_lookup || !env_name {
            return;
        }
        let default = call
            .arguments
            .find_keyword("default")
            .map(|k| &k.value)
            .or_else(|| {
                (last != "config" && last != "str")
                    .then(|| call.arguments.find_positional(1))
                    .flatten()
            });
        if let Some(default) = default {
            self.named_value(&name, default);
        }
    }

    fn target(&mut self, target: &Expr, value: &Expr) {
        match target {
            Expr::Name(n) => self.named_value(n.id.as_str(), value),
            Expr::Attribute(a) => self.named_value(a.attr.as_str(), value),
            Expr::Subscript(s) => {
                if let Expr::StringLiteral(key) = s.slice.as_ref() {
                    self.named_value(key.value.to_str(), value);
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for SecretVisitor<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(a) => {
                for t in &a.targets {
                    self.target(t, &a.value);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.target(&a.target, v);
                }
            }
            Stmt::FunctionDef(f) => {
                for p in f.parameters.iter_non_variadic_params() {
                    if let Some(default) = p.default() {
                        self.named_value(p.parameter.name.as_str(), default);
                    }
                }
            }
            // An enum's members are labels (`onepassword = "1password"`, `TOKEN = "token"`):
            // the set of values a field takes, never a credential.
            Stmt::ClassDef(c)
                if c.bases().iter().any(|b| {
                    self.module
                        .summary
                        .qualify_expr(b)
                        .is_some_and(|q| super::origin::is_enum(self.module.index, &q, 0))
                }) =>
            {
                self.example += 1;
                walk_stmt(self, stmt);
                self.example -= 1;
                return;
            }
            Stmt::Expr(e) if matches!(e.value.as_ref(), Expr::StringLiteral(_)) => {
                self.docstring = true;
                walk_stmt(self, stmt);
                self.docstring = false;
                return;
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::StringLiteral(s) => self.formats(s.value.to_str(), expr),
            Expr::BytesLiteral(b) => {
                let bytes: Vec<u8> = b.value.bytes().collect();
                self.formats(&String::from_utf8_lossy(&bytes), expr);
            }
            Expr::FString(f) => {
                for element in f.value.elements() {
                    if let InterpolatedStringElement::Literal(l) = element {
                        self.formats(&l.value, l);
                    }
                }
                for literal in f.value.literals() {
                    self.formats(literal.value.as_ref(), literal);
                }
            }
            Expr::Call(call) => {
                self.env_default(call);
                self.visit_expr(&call.func);
                for a in &call.arguments.args {
                    self.visit_expr(a);
                }
                for k in &call.arguments.keywords {
                    let Some(arg) = &k.arg else {
                        self.visit_expr(&k.value);
                        continue;
                    };
                    self.named_value(arg.as_str(), &k.value);
                    let example = EXAMPLE_KEYS.contains(&arg.as_str());
                    self.example += u32::from(example);
                    self.visit_expr(&k.value);
                    self.example -= u32::from(example);
                }
                return;
            }
            Expr::Dict(d) => {
                for item in &d.items {
                    let key = match &item.key {
                        Some(Expr::StringLiteral(key)) => Some(key.value.to_str()),
                        _ => None,
                    };
                    if let Some(key) = key {
                        self.named_value(key, &item.value);
                    }
                    if let Some(k) = &item.key {
                        self.visit_expr(k);
                    }
                    let example = key.is_some_and(|k| EXAMPLE_KEYS.contains(&k));
                    self.example += u32::from(example);
                    self.visit_expr(&item.value);
                    self.example -= u32::from(example);
                }
                return;
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// Keyword arguments and dict keys whose values document a schema with sample data.
const EXAMPLE_KEYS: &[&str] = &[
    "example",
    "examples",
    "json_schema_extra",
    "openapi_examples",
    "schema_extra",
];

/// Name endings (after DKR008's list) that, in Python code, name something about a secret
/// rather than hold it: `TOKEN_PREFIX = "sk-"`, `PASSWORD_REGEX`, `API_KEY_ENV = "OPENAI_API_KEY"`.
const PY_NOT_SECRET_SUFFIXES: &[&str] = &[
    // JWT claims that name parties, not keys (`MCP_TOKEN_ISSUER = "tracecat-agent-executor"`).
    "ISSUER",
    "AUDIENCE",
    "SUBJECT",
    "ISS",
    "AUD",
    "SUB",
    "PREFIX",
    "SUFFIX",
    "PATTERN",
    "REGEX",
    "RE",
    "FIELD",
    "FIELDS",
    "PARAM",
    "ENV",
    "VAR",
    "LABEL",
    "PLACEHOLDER",
    "MESSAGE",
    "MSG",
    "TEMPLATE",
    "PROMPT",
    "ERROR",
    "FORMAT",
    "KIND",
    "MODE",
    "SCOPE",
    "SCOPES",
    "LOCATION",
    "COOKIE",
    "QUERY",
    "ATTR",
    "COLUMN",
    "EXPIRY",
    "EXPIRATION",
    "VERSION",
    "STRATEGY",
    "SOURCE",
    "PLACEMENT",
    "USED",
    "INVALID",
    "MISSING",
    "EXPIRED",
    "SUPPORTED",
    "ACCEPTED",
];
/// Words that make a name a derivative of a secret, not the secret (`hashed_password`).
const DERIVED_WORDS: &[&str] = &["HASH", "HASHED", "DIGEST", "MASKED", "REDACTED"];

/// `clientSecret` -> `client_Secret`, so camelCase names split into words like snake_case ones.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

pub fn is_python_secret_name(name: &str) -> bool {
    // Dict keys and subscripts can be any text: only identifier-like ones name a variable
    // (`"AWS::SecretsManager::Secret"` is a CloudFormation type, not a secret).
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return false;
    }
    let snake = snake(name).replace('-', "_");
    let upper = snake.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    // `POSTGRES_PWD`, `DB_PASS`: the short spellings, as whole words only (`BYPASS` is not).
    let short = parts.iter().any(|p| matches!(*p, "PWD" | "PASS"))
        && !parts.iter().any(|p| {
            matches!(
                *p,
                "USE" | "ENABLE" | "DISABLE" | "REQUIRE" | "ALLOW" | "SKIP" | "FIRST" | "SECOND"
            )
        });
    if !is_secret_name(&snake) && !short {
        return false;
    }
    !parts.iter().any(|p| DERIVED_WORDS.contains(p))
        && !parts
            .last()
            .is_some_and(|l| PY_NOT_SECRET_SUFFIXES.contains(l))
}

/// Whether a literal given to a secret-like name is a secret, not a reference, a placeholder,
/// a field name or a message.
fn is_plausible_secret(name: &str, value: &str) -> bool {
    let v = value.trim();
    if v.chars().count() < 4 || (v.chars().any(char::is_whitespace) && !is_secret_phrase(v)) {
        return false;
    }
    // References: `${VAR}`, `$VAR`, `{{ var }}`, `%(var)s`, `{var}` templates, `<your-key>`.
    let reference = v.starts_with('$') && !v.starts_with("$2")
        || v.contains("{{")
        || v.contains("%(")
        || v.contains("%s")
        || (v.starts_with('{') && v.ends_with('}'))
        || v.contains(['<', '>'])
        // Special tokens of tokenizers (`[UNK]`, `[CLS]`), and bracketed placeholders.
        || (v.starts_with('[') && v.ends_with(']'));
    if reference {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    // Switches and sentinels: `IAM_TOKEN_DB_AUTH = "True"`.
    const WORDS: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "required", "optional",
        "auto", "default",
    ];
    if WORDS.contains(&lower.as_str()) {
        return false;
    }
    // Markers an SSO provider stores in a password field (`"password": "LDAP"`).
    const AUTH_SCHEMES: &[&str] = &["ldap", "oidc", "sso", "oauth", "oauth2", "saml", "kerberos"];
    if AUTH_SCHEMES.contains(&lower.as_str()) {
        return false;
    }
    // A name that says the value is not a real credential (`PLACEHOLDER_SECRET_KEY`,
    // `fake_wallet_secret`) or is a setting about secrets (`raw_secret_handling = "block"`).
    let lname = name.to_ascii_lowercase();
    const NOT_A_CREDENTIAL: &[&str] = &[
        "placeholder",
        "fake",
        "dummy",
        "example",
        "sample",
        "mock",
        "mask",
        "filter",
        "handling",
        "policy",
        "strategy",
        "mode",
    ];
    if NOT_A_CREDENTIAL.iter().any(|w| lname.contains(w)) {
        return false;
    }
    // PostHog project keys (`phc_…`) are public by design: browsers send them.
    if v.starts_with("phc_") {
        return false;
    }
    const PLACEHOLDERS: &[&str] = &[
        "fillme",
        "changeme",
        "change_me",
        "change-me",
        "replaceme",
        "replace_me",
        "your_",
        "your-",
        "empty",
        "fake",
        "mock",
        "dummy",
        "placeholder",
        "redacted",
        "example",
        "sample",
        "xxxx",
        "****",
        "...",
        "none",
        "null",
        "undefined",
        "bearer",
    ];
    if PLACEHOLDERS.iter().any(|p| lower.contains(p)) || is_trivial_key(&lower) {
        return false;
    }
    // The value names the secret instead of holding it: `SECRET_KEY = "SECRET_KEY"`,
    // `TOKEN = "access_token"` (a dict key), `API_KEY_HEADER`-like header names, or an
    // environment variable's name (`"OPENAI_API_KEY"`).
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    let env_name = v
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && v.contains('_');
    // A dotted or slashed key path ending in a secret's name (`"audio.tts.openai.api_key"`).
    // A single word without separators (`"supersecret"`) is a value, unless it is the bare
    // word itself (`"password"`, `"token"`: a field or dict key name).
    let bare_word = v.chars().all(|c| c.is_ascii_alphanumeric());
    let names_a_secret = v
        .split(['.', '/', ':'])
        .any(|segment| !segment.is_empty() && is_python_secret_name(segment))
        && (!bare_word || BARE_SECRET_WORDS.contains(&lower.as_str()));
    if norm(v) == norm(name)
        || env_name
        || names_a_secret
        || is_identifier_slug(v)
        || (is_camel_identifier(v) && (names_a_field(v) || !names_a_password(name)))
    {
        return false;
    }
    // Regular expressions (a lexer's `TOKEN = r"[A-Z]\w*"`).
    let char_class = v.starts_with('[') && v.contains("]+");
    if char_class
        || ["\\w", "\\d", "\\s", "\\b", "(?", "[^"]
            .iter()
            .any(|m| v.contains(m))
    {
        return false;
    }
    // Paths and URLs (credentials in URLs are the format check's).
    let path = v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || [".pem", ".key", ".crt", ".json", ".txt", ".yaml", ".yml"]
            .iter()
            .any(|ext| lower.ends_with(ext));
    !(path || v.contains("://"))
}

/// Words that, alone as a value, name a field rather than hold a secret.
const BARE_SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "secrets",
    "tokens",
    "passwords",
];

/// A passphrase written as a few words (`"super secret jwt secret"`, `"my secret key"`): at
/// most six plain words, one of which says what it is, and none of the words of a message or a
/// label (`"Enter your password"`, `"API key is missing"`).
fn is_secret_phrase(v: &str) -> bool {
    let words: Vec<String> = v.split_whitespace().map(str::to_ascii_lowercase).collect();
    const SAYS: &[&str] = &["secret", "password", "key", "token", "jwt", "passphrase"];
    const MESSAGE: &[&str] = &[
        "enter",
        "your",
        "please",
        "invalid",
        "missing",
        "required",
        "must",
        "not",
        "is",
        "are",
        "the",
        "for",
        "of",
        "to",
        "field",
        "error",
        "wrong",
        "incorrect",
        "new",
        "old",
        "reset",
        "forgot",
        "change",
        "confirm",
        "show",
        "hide",
        "set",
        "no",
        "or",
        "and",
        "with",
    ];
    (2..=6).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && words.iter().any(|w| SAYS.contains(&w.as_str()))
        && !words.iter().any(|w| MESSAGE.contains(&w.as_str()))
}

/// A key-shaped dummy: its part after a prefix (`sk-`, `key_`) is a counting or repeated run
/// (`sk-1234`, `key-0000`, `abcd`), as documentation and mock servers use.
fn is_trivial_key(lower: &str) -> bool {
    let tail = lower.rsplit(['-', '_']).next().unwrap_or(lower);
    let b = tail.as_bytes();
    b.len() >= 3
        && b.iter().all(u8::is_ascii_alphanumeric)
        && (b.windows(2).all(|w| w[1] == w[0] + 1) || b.windows(2).all(|w| w[1] == w[0]))
}

/// A value spelled like an identifier of several words (`litellm_proxy_master_key`,
/// `failed-to-connect-to-db`): an alias or a sentinel, not a secret. Secrets are random or
/// short passphrases; two snake_case words (`next_marker`) or four kebab-case words are a name.
fn is_identifier_slug(v: &str) -> bool {
    let words = |sep: char| -> Option<usize> {
        let parts: Vec<&str> = v.split(sep).collect();
        parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
            .then_some(parts.len())
    };
    // Sentinels say what is absent: `NOPASSWORD = "no-password-required"`.
    let negated = v.split(['-', '_']).any(|w| {
        matches!(
            w,
            "no" | "not" | "none" | "without" | "disabled" | "missing"
        )
    });
    words('_').is_some_and(|n| n >= 2) || words('-').is_some_and(|n| n >= 4 || (n >= 2 && negated))
}

/// Whether a name holds a password (`_DEFAULT_PASSWORD`, `db_pwd`): people choose passwords,
/// and a chosen one is often CamelCase (`"MyPassword"`, `"SuperSecret"`), while CamelCase under
/// a token or key name is a field or header name (`"SessionToken"`, `"AccessKeyId"`).
fn names_a_password(name: &str) -> bool {
    snake(name)
        .to_ascii_uppercase()
        .split(['_', '-'])
        .any(|p| matches!(p, "PASSWORD" | "PASSWD" | "PWD" | "PASS"))
}

/// Whether a CamelCase value names a field, header or identifier (`AWSAccessKeyId`,
/// `SessionTokenHeader`) by its last words, rather than being a typed password.
fn names_a_field(v: &str) -> bool {
    snake(v).to_ascii_lowercase().split('_').any(|w| {
        matches!(
            w,
            "id" | "key" | "token" | "name" | "field" | "header" | "type" | "param" | "attribute"
        )
    })
}

/// A CamelCase identifier of letters only (`AWSAccessKeyId`, `SessionToken`): a field name.
fn is_camel_identifier(v: &str) -> bool {
    let b = v.as_bytes();
    b.first().is_some_and(u8::is_ascii_uppercase)
        && b.iter().all(u8::is_ascii_alphabetic)
        && b.windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::{is_plausible_secret, is_python_secret_name};

    #[test]
    fn names() {
        for n in [
            "SECRET_KEY",
            "password",
            "db_password",
            "API_KEY",
            "JWT_SECRET",
            "clientSecret",
            "access_token",
            "api-key",
        ] {
            assert!(is_python_secret_name(n), "{n}");
        }
        for n in [
            "tokenUrl",
            "TOKEN_TYPE",
            "hashed_password",
            "API_KEY_HEADER",
            "TOKEN_PREFIX",
            "password_regex",
            "max_tokens",
            "tokenizer",
            "API_KEY_ENV",
        ] {
            assert!(!is_python_secret_name(n), "{n}");
        }
    }

    #[test]
    fn values() {
        for v in [
            "changethis",
            "s3cr3t-value",
            "hunter2!",
            "$2b$12$abcdefgh",
            "super secret jwt secret",
            "supersecret",
            "MySecret1",
        ] {
            assert!(is_plausible_secret("password", v), "{v}");
        }
        for v in ["MyPassword", "GuestRabbit"] {
            assert!(is_plausible_secret("admin_password", v), "{v}");
            assert!(!is_plausible_secret("session_token", v), "{v}");
        }
        for v in [
            "",
            "abc",
            "${DB_PASSWORD}",
            "$SECRET",
            "{{ secret }}",
            "Invalid password",
            "password",
            "OPENAI_API_KEY",
            "access_token",
            "x-api-key",
            "fake-key",
            "/run/secrets/db",
            "<your-api-key>",
            "True",
            "mock-key",
            "audio.tts.openai.api_key",
            "litellm_proxy_master_key",
            "failed-to-connect-to-db",
            "sk-1234",
            "key-0000",
            "AWSAccessKeyId",
            "no-password-required",
            "[^\\W\\d]\\w*",
            "Enter your password",
            "API key is missing",
            "secret",
            "token",
            "new password",
        ] {
            assert!(!is_plausible_secret("password", v), "{v}");
        }
    }
}
