//! The Compose model: what a compose file's services declare, read from the span-carrying YAML
//! tree following the Compose specification (https://docs.docker.com/reference/compose-file/),
//! and merged the way `docker compose` merges `compose.yaml` with `compose.override.yaml`.
//!
//! Every element keeps the file and byte span it was written at, so a finding about a merged
//! service still points at the line that set (or should set) the value. The model owns its
//! data: it outlives the file's tree and is part of the project facts.

use crate::facts::normalize_join;
use crate::parse::shell_words::{split_commands, Word};
use crate::parse::yaml::{Yaml, YamlValue};
use crate::source::{FileId, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A value with the file and span it was written at.
#[derive(Debug, Clone)]
pub struct At<T> {
    pub file: FileId,
    pub span: Span,
    pub value: T,
}

/// One compose file's services (one YAML document).
#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub file: FileId,
    /// Relative to the project root.
    pub path: PathBuf,
    pub services: Vec<Service>,
    /// Top-level `include:` files inside the repository, resolved relative to the project root
    /// (Compose specification, "Include"). Their services join the project that includes them.
    pub includes: Vec<At<PathBuf>>,
    /// The top-level `name:` (the Compose project name), as written.
    pub project_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Build {
    /// Resolved relative to the project root; `None` for a URL or a context outside it.
    pub dockerfile: Option<PathBuf>,
    /// The build context, resolved likewise.
    pub context: Option<PathBuf>,
}

/// A service's `extends:` (Compose specification, "extends"): the service it starts from, in
/// the same file or in `file`, which is resolved relative to the project root.
#[derive(Debug, Clone)]
pub struct Extends {
    pub file: FileId,
    pub span: Span,
    /// `None` for the same file. An `extends` whose file leaves the repository is not read.
    pub path: Option<PathBuf>,
    pub service: String,
}

/// `environment:` entry (map or `NAME=value` list form).
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub file: FileId,
    pub name: String,
    /// `None` for `NAME` alone (list form) or `NAME:` with no value: taken from the shell.
    pub value: Option<String>,
    /// The value as written (the whole entry for a list item).
    pub span: Span,
}

impl EnvVar {
    /// Whether the value is a `${VAR}` / `$VAR` interpolation (any form: `${VAR:?err}`,
    /// `${VAR:-default}`), i.e. it comes from outside the file.
    pub fn is_reference(&self) -> bool {
        self.value.as_deref().is_none_or(has_interpolation)
    }
}

/// `$VAR` or `${...}` anywhere in a value (`$$` is a literal dollar).
pub fn has_interpolation(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            match bytes.get(i + 1) {
                Some(b'$') => {
                    i += 2;
                    continue;
                }
                Some(b'{') => return true,
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => return true,
                _ => {}
            }
        }
        i += 1;
    }
    false
}

/// A `ports:` entry, short (`"127.0.0.1:5432:5432/tcp"`) or long syntax.
#[derive(Debug, Clone)]
pub struct Port {
    pub file: FileId,
    pub span: Span,
    pub host_ip: Option<String>,
    /// The host port (or range); `None` publishes on an ephemeral host port.
    pub published: Option<String>,
    pub target: String,
}

impl Port {
    /// Whether the port is reachable from other hosts: no host IP, `0.0.0.0` or `::`.
    /// An interpolated host IP is unknown and counted as bound.
    /// An interpolated host IP with a default (`${BIND:-0.0.0.0}`) is judged by its default.
    pub fn on_all_interfaces(&self) -> bool {
        match self.host_ip.as_deref() {
            None => true,
            Some(ip) => {
                let ip = if has_interpolation(ip) {
                    match interpolation_default(ip) {
                        Some(d) => d,
                        None => return false,
                    }
                } else {
                    ip
                };
                matches!(ip.trim_matches(['[', ']']), "" | "0.0.0.0" | "::")
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Dependency {
    pub file: FileId,
    /// The entry: the list item, or the service's key in the map form.
    pub span: Span,
    pub service: String,
    /// `condition:` of the map form; `None` in the list form (which means `service_started`).
    pub condition: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Healthcheck {
    pub file: FileId,
    /// The `healthcheck:` key.
    pub span: Span,
    /// `disable: true`, or `test: ["NONE"]`.
    pub disabled: bool,
}

/// A `volumes:` entry: `source:target[:mode]` or the long syntax.
#[derive(Debug, Clone)]
pub struct Volume {
    pub file: FileId,
    pub span: Span,
    /// A bind mount's host path resolved against the project root; `None` for a named volume
    /// or a path outside the repository.
    pub host_path: Option<PathBuf>,
    pub target: String,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    /// The file and key that define the service (its first file when merged).
    pub file: FileId,
    pub key: Span,
    pub image: Option<At<String>>,
    pub build: Option<At<Build>>,
    /// `command:` words (string form split like a shell; list form item by item). Words of a
    /// `sh -c` script or an `echo '…'` string are also split into their own words, pointing
    /// at the string that holds them.
    pub command: Option<At<Vec<Word>>>,
    pub entrypoint: Option<At<Vec<Word>>>,
    pub environment: Vec<EnvVar>,
    pub env_files: Vec<At<String>>,
    pub ports: Vec<Port>,
    pub depends_on: Vec<Dependency>,
    pub healthcheck: Option<Healthcheck>,
    pub restart: Option<At<String>>,
    /// `deploy.replicas` (or the legacy `scale:`).
    pub replicas: Option<At<u32>>,
    /// `deploy.replicas` written as something other than a number (`${REPLICAS}`).
    pub replicas_unknown: Option<At<()>>,
    pub restart_policy: Option<At<()>>,
    /// A `deploy:` section (Swarm and `docker compose` read it): a production setting.
    pub deploy: Option<At<()>>,
    /// Resource limits: `deploy.resources.limits`, `mem_limit`, `cpus`.
    pub limits: Option<At<()>>,
    pub secrets: Vec<String>,
    pub volumes: Vec<Volume>,
    pub profiles: Vec<String>,
    /// `extends:`, before it is resolved (see [`resolve_extends`]).
    pub extends: Option<Extends>,
}

impl Service {
    pub fn env(&self, name: &str) -> Option<&EnvVar> {
        self.environment.iter().find(|e| e.name == name)
    }

    /// The words the container starts with: entrypoint then command.
    pub fn start_words(&self) -> impl Iterator<Item = &Word> {
        self.entrypoint
            .iter()
            .chain(self.command.iter())
            .flat_map(|c| c.value.iter())
    }

    /// How many containers run: `deploy.replicas`, default 1.
    pub fn replica_count(&self) -> u32 {
        self.replicas.as_ref().map_or(1, |r| r.value)
    }
}

/// Reads one compose document. `path` is the compose file's path relative to the root.
pub fn read(doc: &Yaml, path: &Path, file: FileId) -> ComposeFile {
    let dir = path.parent().unwrap_or(Path::new(""));
    let services = doc
        .get("services")
        .map(|s| {
            s.entries()
                .iter()
                .filter_map(|(k, v)| Some(service(k.as_str()?, k, v, dir, file)))
                .collect()
        })
        .unwrap_or_default();
    ComposeFile {
        file,
        path: path.to_path_buf(),
        services,
        includes: doc
            .get("include")
            .map(|i| includes(i, dir, file))
            .unwrap_or_default(),
        project_name: doc.get("name").and_then(|n| n.as_str()).map(str::to_string),
    }
}

/// `include:` items: a path, a list of paths merged together, or a map with `path:` (string
/// or list). Remote includes (`oci://`, git URLs) and paths leaving the repository are left out.
fn includes(node: &Yaml, dir: &Path, file: FileId) -> Vec<At<PathBuf>> {
    let mut out = Vec::new();
    let mut push = |n: &Yaml| {
        let Some(text) = n.as_str() else { return };
        if text.contains("://") || text.starts_with("git@") || has_interpolation(text) {
            return;
        }
        if let Some(path) = normalize_join(dir, text) {
            out.push(at(file, n, path));
        }
    };
    for item in node.as_seq() {
        match item.get("path") {
            Some(p) if p.as_str().is_some() => push(p),
            Some(p) => p.as_seq().iter().for_each(&mut push),
            None => push(item),
        }
    }
    out
}

/// The paths of the files a compose document names in `include:` and `extends.file`, resolved
/// relative to the project root: discovery reads them as compose files whatever their names.
pub fn referenced_files(doc: &Yaml, path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out: Vec<PathBuf> = doc
        .get("include")
        .map(|i| includes(i, dir, 0).into_iter().map(|a| a.value).collect())
        .unwrap_or_default();
    if let Some(services) = doc.get("services") {
        for (_, s) in services.entries() {
            if let Some(p) = s
                .get("extends")
                .and_then(|e| extends(e, dir, 0))
                .and_then(|e| e.path)
            {
                out.push(p);
            }
        }
    }
    out
}

fn extends(node: &Yaml, dir: &Path, file: FileId) -> Option<Extends> {
    if let Some(name) = node.as_str() {
        return Some(Extends {
            file,
            span: node.span.clone(),
            path: None,
            service: name.to_string(),
        });
    }
    let service = node.get("service")?.as_str()?.to_string();
    let path = match node.get("file").and_then(Yaml::as_str) {
        Some(f) if has_interpolation(f) => return None,
        Some(f) => Some(normalize_join(dir, f)?),
        None => None,
    };
    Some(Extends {
        file,
        span: node.span.clone(),
        path,
        service,
    })
}

fn at<T>(file: FileId, node: &Yaml, value: T) -> At<T> {
    At {
        file,
        span: node.span.clone(),
        value,
    }
}

fn service(name: &str, key: &Yaml, node: &Yaml, dir: &Path, file: FileId) -> Service {
    let str_of = |k: &str| {
        node.get(k)
            .and_then(|v| Some(at(file, v, v.as_str()?.to_string())))
    };
    let build = node.entry("build").map(|(k, v)| {
        let (context, dockerfile) = match v.as_str() {
            Some(context) => (context, None),
            None => (
                v.get("context").and_then(Yaml::as_str).unwrap_or("."),
                v.get("dockerfile").and_then(Yaml::as_str),
            ),
        };
        let local = !(context.contains("://") || context.starts_with("git@"));
        let context = local.then(|| normalize_join(dir, context)).flatten();
        let dockerfile = context.as_ref().and_then(|ctx| match dockerfile {
            // Relative to the context (Compose specification, build.dockerfile).
            Some(df) => normalize_join(ctx, df),
            None => Some(ctx.join("Dockerfile")),
        });
        at(
            file,
            k,
            Build {
                dockerfile,
                context,
            },
        )
    });
    let deploy = node.get("deploy");
    let replicas_node = deploy
        .and_then(|d| d.get("replicas"))
        .or_else(|| node.get("scale"));
    let replicas = replicas_node.and_then(|r| Some(at(file, r, r.as_str()?.parse().ok()?)));
    let replicas_unknown = replicas_node
        .filter(|_| replicas.is_none())
        .map(|r| at(file, r, ()));
    let restart_policy = deploy
        .and_then(|d| d.entry("restart_policy"))
        .map(|(k, _)| at(file, k, ()));
    let limits = deploy
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.entry("limits"))
        .or_else(|| node.entry("mem_limit"))
        .or_else(|| node.entry("cpus"))
        .map(|(k, _)| at(file, k, ()));
    let healthcheck = node.entry("healthcheck").map(|(k, v)| {
        let disable = v
            .get("disable")
            .and_then(Yaml::as_str)
            .is_some_and(|s| s == "true");
        let test_none = v.get("test").is_some_and(|t| {
            t.as_str() == Some("NONE") || t.as_seq().first().and_then(Yaml::as_str) == Some("NONE")
        });
        Healthcheck {
            file,
            span: k.span.clone(),
            disabled: disable || test_none,
        }
    });
    Service {
        name: name.to_string(),
        file,
        key: key.span.clone(),
        image: str_of("image"),
        build,
        command: node.get("command").map(|v| at(file, v, words(v))),
        entrypoint: node.get("entrypoint").map(|v| at(file, v, words(v))),
        environment: node
            .get("environment")
            .map(|e| environment(e, file))
            .unwrap_or_default(),
        env_files: node
            .get("env_file")
            .map(|e| string_or_list(e, &["path"], file))
            .unwrap_or_default(),
        ports: node
            .get("ports")
            .map(|p| p.as_seq().iter().filter_map(|p| port(p, file)).collect())
            .unwrap_or_default(),
        depends_on: node
            .get("depends_on")
            .map(|d| depends_on(d, file))
            .unwrap_or_default(),
        healthcheck,
        restart: str_of("restart"),
        replicas,
        replicas_unknown,
        restart_policy,
        deploy: node.entry("deploy").map(|(k, _)| at(file, k, ())),
        limits,
        secrets: node
            .get("secrets")
            .map(|s| string_or_list(s, &["source"], file))
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.value)
            .collect(),
        volumes: node
            .get("volumes")
            .map(|v| {
                v.as_seq()
                    .iter()
                    .filter_map(|v| volume(v, dir, file))
                    .collect()
            })
            .unwrap_or_default(),
        profiles: node
            .get("profiles")
            .map(|p| {
                p.as_seq()
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        extends: node.get("extends").and_then(|e| extends(e, dir, file)),
    }
}

/// A string or a list of strings (or of maps whose `keys` hold the string).
fn string_or_list(node: &Yaml, keys: &[&str], file: FileId) -> Vec<At<String>> {
    if let Some(s) = node.as_str() {
        return vec![at(file, node, s.to_string())];
    }
    node.as_seq()
        .iter()
        .filter_map(|item| {
            let value = item
                .as_str()
                .or_else(|| keys.iter().find_map(|k| item.get(k).and_then(Yaml::as_str)))?;
            Some(at(file, item, value.to_string()))
        })
        .collect()
}

/// Where the text of a scalar starts in the file, when its value is written verbatim (plain)
/// or inside simple quotes; other scalars (escapes, folded blocks) get no inner offsets.
fn scalar_base(node: &Yaml, text: &str) -> Option<usize> {
    let len = node.span.end.checked_sub(node.span.start)?;
    if len == text.len() {
        Some(node.span.start)
    } else if len == text.len() + 2 {
        Some(node.span.start + 1)
    } else {
        None
    }
}

/// The words of a `command:` / `entrypoint:`.
fn words(node: &Yaml) -> Vec<Word> {
    let mut out = Vec::new();
    match &node.value {
        YamlValue::Scalar(text) => {
            let base = scalar_base(node, text);
            for cmd in split_commands(text, base.unwrap_or(0), '\\') {
                for mut w in cmd.words {
                    if base.is_none() {
                        w.span = node.span.clone();
                    }
                    push_word(&mut out, w);
                }
            }
        }
        YamlValue::Seq(items) => {
            for item in items {
                if let Some(text) = item.as_str() {
                    push_word(
                        &mut out,
                        Word {
                            text: text.to_string(),
                            span: item.span.clone(),
                        },
                    );
                }
            }
        }
        _ => {}
    }
    out
}

/// Pushes a word, then the words of a string that holds several (a `sh -c` script, an
/// `echo '…'` line), all pointing at that string.
fn push_word(out: &mut Vec<Word>, word: Word) {
    let inner: Vec<Word> = if word.text.contains(char::is_whitespace) {
        split_commands(&word.text, 0, '\\')
            .into_iter()
            .flat_map(|c| c.words)
            .map(|w| Word {
                text: w.text,
                span: word.span.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    out.push(word);
    out.extend(inner);
}

fn environment(node: &Yaml, file: FileId) -> Vec<EnvVar> {
    if node.is_map() {
        return node
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                Some(EnvVar {
                    file,
                    name: k.as_str()?.to_string(),
                    value: v.as_str().map(str::to_string),
                    span: if matches!(v.value, YamlValue::Null) {
                        k.span.clone()
                    } else {
                        v.span.clone()
                    },
                })
            })
            .collect();
    }
    node.as_seq()
        .iter()
        .filter_map(|item| {
            let text = item.as_str()?;
            let (name, value) = match text.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (text, None),
            };
            // Point at the value when the item is written verbatim.
            let span = match (scalar_base(item, text), &value) {
                (Some(base), Some(_)) => base + name.len() + 1..base + text.len(),
                _ => item.span.clone(),
            };
            Some(EnvVar {
                file,
                name: name.trim().to_string(),
                value,
                span,
            })
        })
        .collect()
}

fn port(node: &Yaml, file: FileId) -> Option<Port> {
    if node.is_map() {
        let s = |k: &str| node.get(k).and_then(Yaml::as_str).map(str::to_string);
        return Some(Port {
            file,
            span: node.span.clone(),
            host_ip: s("host_ip"),
            published: s("published"),
            target: s("target")?,
        });
    }
    let text = node.as_str()?;
    let spec = split_outside_braces(text, '/')[0];
    // `[::1]:5432:5432`: an IPv6 host IP is bracketed.
    let (host_ip, rest) = match spec.strip_prefix('[') {
        Some(after) => {
            let (ip, rest) = after.split_once(']')?;
            (Some(ip.to_string()), rest.trim_start_matches(':'))
        }
        None => (None, spec),
    };
    let parts = split_outside_braces(rest, ':');
    let (host_ip, published, target) = match (host_ip, parts.as_slice()) {
        (Some(ip), [published, target]) => (Some(ip), Some(published.to_string()), *target),
        (None, [target]) => (None, None, *target),
        (None, [published, target]) => (None, Some(published.to_string()), *target),
        (None, [ip, published, target]) => (
            Some(ip.to_string()),
            Some(published.to_string()).filter(|p| !p.is_empty()),
            *target,
        ),
        _ => return None,
    };
    Some(Port {
        file,
        span: node.span.clone(),
        host_ip,
        published,
        target: target.to_string(),
    })
}

/// Splits at `sep` outside `${…}`: `${PORT:-5432}:5432` is two parts, not three.
fn split_outside_braces(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut prev = '\0';
    for (i, c) in text.char_indices() {
        match c {
            '{' if prev == '$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
        prev = c;
    }
    out.push(&text[start..]);
    out
}

/// The value an interpolation yields when its variable is unset: `${X:-d}` / `${X-d}` -> `d`;
/// `None` for `${X}`, `$X` and `${X:?err}` (no default: unknown).
pub fn interpolation_default(value: &str) -> Option<&str> {
    let inner = value.strip_prefix("${")?.strip_suffix('}')?;
    let at = inner.find(['-', ':', '?', '+'])?;
    let rest = &inner[at..];
    rest.strip_prefix(":-").or_else(|| rest.strip_prefix('-'))
}

fn depends_on(node: &Yaml, file: FileId) -> Vec<Dependency> {
    if node.is_map() {
        return node
            .entries()
            .iter()
            .filter_map(|(k, v)| {
                Some(Dependency {
                    file,
                    span: k.span.clone(),
                    service: k.as_str()?.to_string(),
                    condition: v
                        .get("condition")
                        .and_then(Yaml::as_str)
                        .map(str::to_string),
                })
            })
            .collect();
    }
    node.as_seq()
        .iter()
        .filter_map(|item| {
            Some(Dependency {
                file,
                span: item.span.clone(),
                service: item.as_str()?.to_string(),
                condition: None,
            })
        })
        .collect()
}

fn volume(node: &Yaml, dir: &Path, file: FileId) -> Option<Volume> {
    let (source, target) = if node.is_map() {
        (
            node.get("source").and_then(Yaml::as_str).unwrap_or(""),
            node.get("target").and_then(Yaml::as_str)?,
        )
    } else {
        let text = node.as_str()?;
        let mut parts = text.splitn(3, ':');
        let first = parts.next()?;
        match parts.next() {
            Some(target) => (first, target),
            None => ("", first),
        }
    };
    let is_path = source.starts_with('.') || source.starts_with('/') || source.starts_with('~');
    let host_path = (is_path && !source.starts_with('/') && !source.starts_with('~'))
        .then(|| normalize_join(dir, source))
        .flatten();
    Some(Volume {
        file,
        span: node.span.clone(),
        host_path,
        target: target.to_string(),
    })
}

/// Merges an override file's service over the base one as `docker compose` does
/// (https://docs.docker.com/reference/compose-file/merge/): scalars and `command`/`entrypoint`
/// are replaced, `environment` and `depends_on` are merged by key, `ports` are appended,
/// `volumes` are merged by target, `healthcheck` is merged (an override adds or disables it).
pub fn merge(base: &Service, over: &Service) -> Service {
    let mut out = base.clone();
    macro_rules! replace {
        ($($field:ident),*) => {$(
            if over.$field.is_some() {
                out.$field = over.$field.clone();
            }
        )*};
    }
    replace!(
        image,
        build,
        command,
        entrypoint,
        restart,
        restart_policy,
        deploy,
        limits
    );
    if over.replicas.is_some() || over.replicas_unknown.is_some() {
        out.replicas = over.replicas.clone();
        out.replicas_unknown = over.replicas_unknown.clone();
    }
    if let Some(h) = &over.healthcheck {
        out.healthcheck = Some(Healthcheck {
            disabled: h.disabled,
            ..h.clone()
        });
    }
    for var in &over.environment {
        out.environment.retain(|e| e.name != var.name);
        out.environment.push(var.clone());
    }
    for dep in &over.depends_on {
        out.depends_on.retain(|d| d.service != dep.service);
        out.depends_on.push(dep.clone());
    }
    for v in &over.volumes {
        out.volumes.retain(|b| b.target != v.target);
        out.volumes.push(v.clone());
    }
    out.ports.extend(over.ports.iter().cloned());
    out.env_files.extend(over.env_files.iter().cloned());
    for s in &over.secrets {
        if !out.secrets.contains(s) {
            out.secrets.push(s.clone());
        }
    }
    if !over.profiles.is_empty() {
        out.profiles = over.profiles.clone();
    }
    out
}

/// Whether a stack is what runs in production (issue 9, "what is deployed").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Something says it is deployed: its name, a deploy script or job that runs it, or the
    /// production settings it carries. The text says which, for messages.
    Production(String),
    /// Local development or tests: no topology rule judges it.
    Development(String),
    /// The default file of a folder that has a production file (`compose.prod.yml`): what of
    /// it is deployed is judged through the production stack, not on its own.
    Base(PathBuf),
    /// Nothing tells: production-only rules report at `info` and say so.
    Unknown,
}

/// A set of compose files Docker reads together (a stack): a folder's default file and its
/// override, a variant file (`docker-compose.prod.yml`) over the folder's default file, a
/// self-contained variant on its own, or the files a deploy names with `-f`.
#[derive(Debug, Clone)]
pub struct ComposeProject {
    pub files: Vec<FileId>,
    /// The files given to Docker (`-f`), without the ones they include.
    pub members: Vec<FileId>,
    /// The file that defines the stack: the variant, or else the default file.
    pub path: PathBuf,
    pub services: Vec<Service>,
    pub stage: Stage,
}

impl ComposeProject {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Whether the stack is not judged on its own: development, tests, or the base of a
    /// production overlay.
    pub fn is_development(&self) -> bool {
        matches!(self.stage, Stage::Development(_) | Stage::Base(_))
    }

    /// Nothing says the stack is production (production-only rules soften to `info`).
    pub fn is_unknown(&self) -> bool {
        self.stage == Stage::Unknown
    }
}

/// Words of a compose file's name or folder that say development or tests.
pub const DEV_WORDS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "ci",
    "e2e",
    "debug",
    "override",
    "devcontainer",
    "sandbox",
    "demo",
    "example",
    "examples",
    "playground",
    "benchmark",
    "benchmarks",
    "bench",
    "loadtest",
    "loadtests",
];

/// Words of a compose file's name or folder that say it is deployed.
const PROD_WORDS: &[&str] = &[
    "prod",
    "production",
    "prd",
    "deploy",
    "deployment",
    "release",
    "live",
    "staging",
    "swarm",
    "stack",
];

pub fn name_words(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| p.to_ascii_lowercase())
}

/// What a compose file's own name and folders say about it: `docker-compose.dev.yml`,
/// `.devcontainer/compose.yaml`, `tests/compose.yaml` are development; `compose.prod.yml`,
/// `deploy/compose.yaml` are production. The name decides before the folders.
pub fn stage_by_name(path: &Path) -> Option<Stage> {
    let name = path.file_name()?.to_string_lossy();
    let has = |words: &[&str], text: &str| name_words(text).any(|w| words.contains(&w.as_str()));
    if has(DEV_WORDS, &name) {
        return Some(Stage::Development(format!("named `{name}`")));
    }
    if has(PROD_WORDS, &name) {
        return Some(Stage::Production(format!("named `{name}`")));
    }
    let folders: Vec<String> = path
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
        .collect();
    for folder in folders.iter().rev() {
        if has(DEV_WORDS, folder) || crate::facts::OUT_OF_SCOPE_DIRS.contains(&folder.as_str()) {
            return Some(Stage::Development(format!("under `{folder}/`")));
        }
        if has(PROD_WORDS, folder) {
            return Some(Stage::Production(format!("under `{folder}/`")));
        }
    }
    None
}

/// Whether a compose file is for development or tests by its name or folder (an override
/// file is: Docker's documentation describes `compose.override.yaml` as the local layer).
pub fn is_dev_file(path: &Path) -> bool {
    matches!(stage_by_name(path), Some(Stage::Development(_)))
}

/// A deploy that runs compose files (`docker compose -f a -f b up` over ssh, `docker stack
/// deploy -c a`), with the files as written and why it counts as a deploy.
#[derive(Debug, Clone)]
pub struct ComposeRun {
    pub file: FileId,
    /// The directory of the script or workflow, relative to the root (for `-f` paths).
    pub dir: PathBuf,
    /// `-f` / `--file` / `-c` values and `COMPOSE_FILE` entries, as written. Empty: the
    /// default files of the folder it runs in.
    pub files: Vec<String>,
    pub why: String,
}

/// The default file names, in Docker's order of preference, and their override names.
const DEFAULTS: &[(&str, &[&str])] = &[
    (
        "compose.yaml",
        &["compose.override.yaml", "compose.override.yml"],
    ),
    (
        "compose.yml",
        &["compose.override.yml", "compose.override.yaml"],
    ),
    (
        "docker-compose.yml",
        &[
            "docker-compose.override.yml",
            "docker-compose.override.yaml",
        ],
    ),
    (
        "docker-compose.yaml",
        &[
            "docker-compose.override.yaml",
            "docker-compose.override.yml",
        ],
    ),
];

/// Resolves every service's `extends:` as Docker does: the service it names (itself resolved
/// first, in its own file or the same one) is the base, and the extending service is merged over
/// it with the usual merge rules. A chain that loops or names a missing service or file is left
/// as written.
pub fn resolve_extends(files: &[ComposeFile]) -> Vec<ComposeFile> {
    let by_path: HashMap<&Path, usize> = files
        .iter()
        .enumerate()
        .rev()
        .map(|(i, f)| (f.path.as_path(), i))
        .collect();
    // The first service of each name in each file, as a scan would find it.
    let mut by_name: HashMap<(usize, &str), usize> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        for (j, s) in f.services.iter().enumerate() {
            by_name.entry((i, s.name.as_str())).or_insert(j);
        }
    }
    let lookup = ExtendsLookup {
        files,
        by_path,
        by_name,
    };
    files
        .iter()
        .enumerate()
        .map(|(i, f)| ComposeFile {
            services: f
                .services
                .iter()
                .map(|s| lookup.extended(i, s, 0))
                .collect(),
            ..f.clone()
        })
        .collect()
}

/// Compose files by path and their services by name: one lookup per `extends:`, not a scan.
struct ExtendsLookup<'f> {
    files: &'f [ComposeFile],
    by_path: HashMap<&'f Path, usize>,
    by_name: HashMap<(usize, &'f str), usize>,
}

impl ExtendsLookup<'_> {
    fn extended(&self, file: usize, service: &Service, depth: usize) -> Service {
        let Some(ext) = &service.extends else {
            return service.clone();
        };
        if depth > 8 {
            return service.clone();
        }
        let base_file = match &ext.path {
            Some(p) => self.by_path.get(p.as_path()).copied(),
            None => Some(file),
        };
        let Some(base_file) = base_file else {
            return service.clone();
        };
        let Some(&at) = self.by_name.get(&(base_file, ext.service.as_str())) else {
            return service.clone();
        };
        let base = &self.files[base_file].services[at];
        if std::ptr::eq(base, service) {
            return service.clone();
        }
        let base = self.extended(base_file, base, depth + 1);
        let mut out = merge(&base, service);
        out.name = service.name.clone();
        out.file = service.file;
        out.key = service.key.clone();
        out.extends = None;
        out
    }
}

/// The files a set of files includes (transitively), in order, each once and not one of the set.
fn included<'f>(members: &[&'f ComposeFile], files: &'f [ComposeFile]) -> Vec<&'f ComposeFile> {
    let mut out: Vec<&ComposeFile> = Vec::new();
    let mut queue: Vec<&ComposeFile> = members.to_vec();
    while let Some(f) = queue.pop() {
        for inc in &f.includes {
            let Some(target) = files.iter().find(|c| c.path == inc.value) else {
                continue;
            };
            if members
                .iter()
                .chain(out.iter())
                .any(|m| m.file == target.file)
            {
                continue;
            }
            out.push(target);
            queue.push(target);
        }
    }
    out
}

fn merge_files(files: &[&ComposeFile]) -> Vec<Service> {
    let mut services: Vec<Service> = Vec::new();
    // Position of each name in `services`: a lookup per service, not a scan.
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in files {
        for s in &f.services {
            match at.get(s.name.as_str()) {
                Some(&i) => services[i] = merge(&services[i], s),
                None => {
                    at.insert(s.name.as_str(), services.len());
                    services.push(s.clone());
                }
            }
        }
    }
    services
}

/// Whether a variant file is complete on its own: every service says what it runs (`image:`,
/// `build:` or `extends:`). Such a file is run alone (`docker compose -f compose.prod.yml up`);
/// an overlay that only adds settings is run over the default file.
fn self_contained(file: &ComposeFile) -> bool {
    !file.services.is_empty()
        && file
            .services
            .iter()
            .all(|s| s.image.is_some() || s.build.is_some() || s.extends.is_some())
}

fn stack(members: Vec<&ComposeFile>, files: &[ComposeFile], path: &Path) -> ComposeProject {
    // Included files load first; the including files' services are merged over them.
    let mut all = included(&members, files);
    all.reverse();
    all.extend(members.iter().copied());
    ComposeProject {
        files: all.iter().map(|f| f.file).collect(),
        members: members.iter().map(|f| f.file).collect(),
        path: path.to_path_buf(),
        services: merge_files(&all),
        stage: Stage::Unknown,
    }
}

/// Groups compose files into the stacks Docker would run. In each folder the default file is
/// merged with its override; every other compose file there is merged over the default file
/// (written for `-f default -f variant`) unless it is complete on its own; a folder without a
/// default file has each file on its own. Each stack's stage comes from its defining file's
/// name; a default file beside a production file is that file's base. Deploys that name their
/// files (`runs`) decide over names: their stack is production, built from exactly those files.
pub fn projects(files: &[ComposeFile], runs: &[ComposeRun]) -> Vec<ComposeProject> {
    let resolved = resolve_extends(files);
    let files = resolved.as_slice();
    let mut folders: Vec<&Path> = files
        .iter()
        .map(|f| f.path.parent().unwrap_or(Path::new("")))
        .collect();
    folders.sort();
    folders.dedup();
    let mut out = Vec::new();
    for dir in folders {
        let here: Vec<&ComposeFile> = files
            .iter()
            .filter(|f| f.path.parent().unwrap_or(Path::new("")) == dir)
            .collect();
        let named = |name: &str| {
            here.iter()
                .find(|f| f.path.file_name().is_some_and(|n| n == name))
                .copied()
        };
        let default = DEFAULTS
            .iter()
            .find_map(|(name, overrides)| Some((named(name)?, overrides)));
        let Some((base, overrides)) = default else {
            for f in &here {
                out.push(stack(vec![f], files, &f.path));
            }
            continue;
        };
        let over = overrides.iter().find_map(|o| named(o));
        let mut members = vec![base];
        members.extend(over);
        let default_at = out.len();
        out.push(stack(members, files, &base.path));
        let mut production = None;
        for f in &here {
            if f.file == base.file || over.is_some_and(|o| o.file == f.file) {
                continue;
            }
            if f.path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains(".override."))
            {
                continue;
            }
            if matches!(stage_by_name(&f.path), Some(Stage::Production(_))) {
                production.get_or_insert(f.path.clone());
            }
            let members = if self_contained(f) {
                vec![*f]
            } else {
                vec![base, *f]
            };
            out.push(stack(members, files, &f.path));
        }
        if let Some(prod) = production {
            out[default_at].stage = Stage::Base(prod);
        }
    }
    for project in out.iter_mut().filter(|p| p.stage == Stage::Unknown) {
        if let Some(stage) = stage_by_name(&project.path) {
            project.stage = stage;
        }
    }
    for run in runs {
        deployed(run, files, &mut out);
    }
    out
}

/// The compose file a `-f` value names: the file at that path from the script's folder or the
/// root, else the one file of that name in the repository (remote paths such as
/// `/srv/app/compose.prod.yml` are matched by name).
fn resolve_run_file<'f>(
    run: &ComposeRun,
    written: &str,
    files: &'f [ComposeFile],
) -> Option<&'f ComposeFile> {
    if has_interpolation(written) {
        return None;
    }
    let written = written.trim_start_matches("./");
    for base in [run.dir.as_path(), Path::new("")] {
        if let Some(path) = normalize_join(base, written) {
            if let Some(f) = files.iter().find(|f| f.path == path) {
                return Some(f);
            }
        }
    }
    let name = Path::new(written).file_name()?;
    let mut same = files.iter().filter(|f| f.path.file_name() == Some(name));
    let first = same.next()?;
    same.next().is_none().then_some(first)
}

/// Marks (or adds) the stack a deploy runs as production.
fn deployed(run: &ComposeRun, files: &[ComposeFile], out: &mut Vec<ComposeProject>) {
    let members: Vec<&ComposeFile> = if run.files.is_empty() {
        // The default files of the script's folder, else of the root.
        let defaults = |dir: &Path| -> Vec<&ComposeFile> {
            let named = |name: &str| files.iter().find(|f| f.path == dir.join(name));
            let Some((base, overrides)) = DEFAULTS.iter().find_map(|(n, o)| Some((named(n)?, o)))
            else {
                return Vec::new();
            };
            let mut m = vec![base];
            m.extend(overrides.iter().find_map(|o| named(o)));
            m
        };
        let here = defaults(&run.dir);
        if here.is_empty() {
            defaults(Path::new(""))
        } else {
            here
        }
    } else {
        let found: Vec<&ComposeFile> = run
            .files
            .iter()
            .filter_map(|w| resolve_run_file(run, w, files))
            .collect();
        if found.len() != run.files.len() {
            return;
        }
        found
    };
    if members.is_empty() {
        return;
    }
    let ids: Vec<FileId> = members.iter().map(|f| f.file).collect();
    let why = run.why.clone();
    let path = members.last().map(|f| f.path.clone()).unwrap_or_default();
    // The stacks the deploy combines are judged through it.
    for p in out.iter_mut() {
        if p.members.len() < ids.len() && p.members.iter().all(|m| ids.contains(m)) {
            p.stage = Stage::Base(path.clone());
        }
    }
    if let Some(p) = out.iter_mut().find(|p| p.members == ids) {
        // A deploy of a development-named stack deploys a development server.
        if !matches!(p.stage, Stage::Development(_)) {
            p.stage = Stage::Production(why);
        }
        return;
    }
    let mut project = stack(members, files, &path);
    project.stage = match stage_by_name(&path) {
        Some(dev @ Stage::Development(_)) => dev,
        _ => Stage::Production(why),
    };
    out.push(project);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str, path: &str, file: FileId) -> ComposeFile {
        let docs = crate::parse::yaml::parse(text).ok().expect("yaml");
        read(&docs[0], Path::new(path), file)
    }

    #[test]
    fn reads_service_fields() {
        let text = "services:\n  db:\n    image: postgres:16\n    command: postgres -c autovacuum=off\n    environment:\n      - POSTGRES_PASSWORD=secret\n      - POSTGRES_USER\n    ports:\n      - \"127.0.0.1:5432:5432\"\n      - target: 6379\n        published: 6379\n      - \"[::1]:1:2\"\n      - \"5433\"\n    depends_on:\n      etcd:\n        condition: service_healthy\n    healthcheck:\n      disable: true\n    deploy:\n      replicas: 3\n";
        let f = read_text(text, "compose.yaml", 0);
        let db = &f.services[0];
        assert_eq!(
            db.image.as_ref().map(|i| i.value.as_str()),
            Some("postgres:16")
        );
        let cmd = db.command.as_ref().expect("command");
        assert_eq!(cmd.value[2].text, "autovacuum=off");
        assert_eq!(&text[cmd.value[2].span.clone()], "autovacuum=off");
        let pw = db.env("POSTGRES_PASSWORD").expect("env");
        assert_eq!(&text[pw.span.clone()], "secret");
        assert!(!pw.is_reference());
        assert!(db.env("POSTGRES_USER").expect("user").is_reference());
        assert!(!db.ports[0].on_all_interfaces());
        assert!(db.ports[1].on_all_interfaces());
        assert_eq!(db.ports[2].host_ip.as_deref(), Some("::1"));
        assert!(db.ports[3].published.is_none());
        assert_eq!(
            db.depends_on[0].condition.as_deref(),
            Some("service_healthy")
        );
        assert!(db.healthcheck.as_ref().is_some_and(|h| h.disabled));
        assert_eq!(db.replica_count(), 3);
    }

    #[test]
    fn references() {
        for r in ["${A}", "${A:?err}", "${A:-}", "$A", "x${A}y"] {
            assert!(has_interpolation(r), "{r}");
        }
        for l in ["secret", "$$notavar", "pa$", "$1"] {
            assert!(!has_interpolation(l), "{l}");
        }
    }

    #[test]
    fn override_adds_healthcheck() {
        let base = read_text(
            "services:\n  db:\n    image: postgres\n    environment:\n      A: x\n",
            "compose.yaml",
            0,
        );
        let over = read_text(
            "services:\n  db:\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n    environment:\n      A: ${A}\n",
            "compose.override.yaml",
            1,
        );
        let other = read_text(
            "services:\n  x:\n    image: redis\n",
            "other/compose.yaml",
            2,
        );
        let projects = projects(&[base, over, other], &[]);
        assert_eq!(projects.len(), 2);
        let db = projects.iter().find_map(|p| p.service("db")).expect("db");
        assert!(db.healthcheck.is_some());
        assert_eq!(db.file, 0);
        assert!(db.env("A").expect("A").is_reference());
    }

    #[test]
    fn extends_and_include() {
        let base = read_text(
            "include:\n  - db/compose.yaml\n  - path: [cache.yml]\n  - oci://example/x\nservices:\n  api:\n    extends:\n      file: common.yml\n      service: web\n    command: uvicorn app:app\n  worker:\n    extends: api\n    environment:\n      A: b\n",
            "compose.yaml",
            0,
        );
        assert_eq!(
            base.includes
                .iter()
                .map(|i| i.value.clone())
                .collect::<Vec<_>>(),
            vec![PathBuf::from("db/compose.yaml"), PathBuf::from("cache.yml")]
        );
        let common = read_text(
            "services:\n  web:\n    build: ./backend\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n    environment:\n      A: a\n",
            "common.yml",
            1,
        );
        let db = read_text(
            "services:\n  postgres:\n    image: postgres:16\n",
            "db/compose.yaml",
            2,
        );
        let projects = projects(&[base, common, db], &[]);
        let main = projects
            .iter()
            .find(|p| p.path == Path::new("compose.yaml"))
            .expect("main project");
        assert!(main.service("postgres").is_some(), "included service");
        let api = main.service("api").expect("api");
        assert_eq!(api.file, 0);
        assert!(api.healthcheck.is_some());
        assert_eq!(
            api.build.as_ref().and_then(|b| b.value.context.clone()),
            Some(PathBuf::from("backend"))
        );
        let worker = main.service("worker").expect("worker");
        assert!(worker.healthcheck.is_some(), "extends is transitive");
        assert_eq!(worker.env("A").and_then(|e| e.value.as_deref()), Some("b"));
        assert!(worker.command.is_some());
    }
}
