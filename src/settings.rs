//! Configuration: `prodlint.toml` or `[tool.prodlint]` in `pyproject.toml`, found by walking up
//! from the linted path, then overridden by command-line flags. Every unknown key, rule code or
//! option is an error that names the file, line and column.

use crate::diagnostic::Severity;
use crate::model::roles::Role;
use crate::registry::{OptionType, Registry, RuleOptions};
use crate::source::{LineIndex, Span};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::fmt;
use std::path::{Path, PathBuf};
use toml_edit::{Item, TableLike};

/// Files bigger than this are skipped with a note unless the config says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A flag error has no file position: `<command line>:0:0:` would send an editor's
        // problem matcher to a file that does not exist.
        if self.line == 0 {
            return f.write_str(&self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

pub struct Settings {
    pub enabled: Vec<bool>,
    /// Per-rule severity set in the config; overrides every finding of the rule.
    pub severity: Vec<Option<Severity>>,
    pub options: Vec<RuleOptions>,
    pub per_file_ignores: Vec<(GlobSet, Vec<usize>)>,
    /// `[roles]`: files given a role by the user, overriding what prodlint decides.
    pub roles: Vec<(GlobSet, String, Role)>,
    pub exclude: GlobSet,
    pub fail_on: Severity,
    pub max_file_size: u64,
    /// The config file in use, if any.
    pub config_path: Option<PathBuf>,
    /// Folder that `exclude` and `per-file-ignores` globs are relative to.
    pub base_dir: PathBuf,
    /// `baseline = "FILE"`: the baseline `check` applies (relative to the config's folder).
    pub baseline: Option<PathBuf>,
}

/// Command-line overrides.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub fail_on: Option<Severity>,
}

impl Settings {
    /// Defaults: every rule on, at its own severity, with its declared default options.
    pub fn defaults() -> Settings {
        let registry = Registry::get();
        Settings {
            enabled: vec![true; registry.rules.len()],
            severity: vec![None; registry.rules.len()],
            options: registry
                .rules
                .iter()
                .map(|r| {
                    r.meta
                        .options
                        .iter()
                        .map(|o| (o.name.clone(), o.default.clone()))
                        .collect()
                })
                .collect(),
            per_file_ignores: Vec::new(),
            roles: Vec::new(),
            exclude: GlobSet::empty(),
            fail_on: Severity::Warning,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            config_path: None,
            base_dir: PathBuf::from("."),
            baseline: None,
        }
    }

    /// Finds the config for `start` (explicit file, or walking up), loads it, applies overrides.
    pub fn load(
        explicit: Option<&Path>,
        start: &Path,
        overrides: &Overrides,
    ) -> Result<Settings, ConfigError> {
        let found = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => find_config(start),
        };
        let mut settings = Settings::defaults();
        let mut select: Option<Vec<String>> = None;
        let mut ignore: Vec<String> = Vec::new();
        if let Some(path) = found {
            let text = read_config(&path).map_err(|why| ConfigError {
                path: path.clone(),
                // No position: the file was not read, so none of its lines is at fault.
                line: 0,
                column: 0,
                message: format!("cannot read config {}: {why}", path.display()),
            })?;
            let loaded = ConfigFile {
                path: &path,
                text: &text,
                lines: LineIndex::new(&text),
            };
            let (sel, ign) = loaded.apply(&mut settings)?;
            select = sel;
            ignore = ign;
            settings.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            settings.config_path = Some(path);
        }
        if let Some(sel) = &overrides.select {
            select = Some(sel.clone());
        }
        if let Some(ign) = &overrides.ignore {
            ignore = ign.clone();
        }
        let registry = Registry::get();
        if let Some(select) = select {
            settings.enabled = vec![false; registry.rules.len()];
            for selector in select.iter().map(|s| s.trim()) {
                let picked = registry.select(selector);
                if picked.is_empty() {
                    return Err(flag_error(format!(
                        "--select: unknown rule or prefix `{selector}`"
                    )));
                }
                for i in picked {
                    settings.enabled[i] = true;
                }
            }
        }
        for selector in ignore.iter().map(|s| s.trim()) {
            let picked = registry.select(selector);
            if picked.is_empty() {
                return Err(flag_error(format!(
                    "--ignore: unknown rule or prefix `{selector}`"
                )));
            }
            for i in picked {
                settings.enabled[i] = false;
            }
        }
        if let Some(fail_on) = overrides.fail_on {
            settings.fail_on = fail_on;
        }
        Ok(settings)
    }

    /// Whether `rel` (relative to `base_dir`) matches an `exclude` glob.
    pub fn is_excluded(&self, rel: &Path) -> bool {
        matches_globs(&self.exclude, rel)
    }

    /// The role the config gives `rel` (relative to `base_dir`), with the glob that gave it;
    /// the last matching entry wins, as later lines of a config override earlier ones.
    pub fn configured_role(&self, rel: &Path) -> Option<(Role, &str)> {
        self.roles
            .iter()
            .rev()
            .find(|(globs, _, _)| matches_globs(globs, rel))
            .map(|(_, pattern, role)| (*role, pattern.as_str()))
    }

    /// Rules turned off for this file by `per-file-ignores`.
    pub fn ignored_for(&self, rel: &Path) -> Vec<usize> {
        self.per_file_ignores
            .iter()
            .filter(|(globs, _)| matches_globs(globs, rel))
            .flat_map(|(_, rules)| rules.iter().copied())
            .collect()
    }
}

fn matches_globs(globs: &GlobSet, rel: &Path) -> bool {
    if globs.is_empty() {
        return false;
    }
    // The path or any folder above it, each as a path and as a bare name (a pattern without a
    // slash matches a name anywhere): as in .gitignore and ruff's `exclude`, `exclude =
    // ["build"]` skips everything under every build/, not only a file named `build`.
    let mut prefix = PathBuf::new();
    for component in rel.components() {
        prefix.push(component);
        if globs.is_match(&prefix) || globs.is_match(Path::new(component.as_os_str())) {
            return true;
        }
    }
    false
}

/// A flag error has no file position; exit 2 all the same.
fn flag_error(message: String) -> ConfigError {
    ConfigError {
        path: PathBuf::from("<command line>"),
        line: 0,
        column: 0,
        message,
    }
}

/// A config file bigger than this is not one (a `pyproject.toml` is a few kilobytes).
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// Reads a config candidate only when it is a regular file of bounded size: a committed
/// `pyproject.toml -> /dev/zero` would allocate until memory runs out, a FIFO or
/// `/dev/stdin` would block, a folder has nothing to read.
fn read_config(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("a folder, not a file".to_string());
    }
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    let too_big = || format!("larger than {MAX_CONFIG_SIZE} bytes");
    if meta.len() > MAX_CONFIG_SIZE {
        return Err(too_big());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    // `take` guards against a file that grows while it is read.
    file.take(MAX_CONFIG_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_CONFIG_SIZE {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())
}

/// Walks up from `start` to the first `prodlint.toml`, or `pyproject.toml` with
/// `[tool.prodlint]`, and no further than the project root (`.git` or `prodlint.toml`, see
/// `discover::project_root`): a `/tmp/pyproject.toml` someone else wrote must not configure
/// the repository (ruff's search stops at the first config too).
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let root = crate::discover::project_root(&start);
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join("prodlint.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        let pyproject = d.join("pyproject.toml");
        // Only a regular file is read; anything else (a link to a device, a folder) is not a
        // config and is passed over, as a missing one is.
        if let Ok(text) = read_config(&pyproject) {
            if pyproject_has_section(&text) {
                return Some(pyproject);
            }
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    None
}

/// Whether `dir` holds a `pyproject.toml` with a `[tool.prodlint]` section.
pub fn has_pyproject_section(dir: &Path) -> bool {
    read_config(&dir.join("pyproject.toml")).is_ok_and(|text| pyproject_has_section(&text))
}

fn pyproject_has_section(text: &str) -> bool {
    let Ok(doc) = text.parse::<toml_edit::Document<String>>() else {
        // A broken pyproject.toml that holds our section is our config with a syntax error:
        // loading it reports the error with its position (exit 2). Skipping it would silently
        // lint with another config, or none.
        return text.contains("tool.prodlint");
    };
    doc.get("tool").and_then(|t| t.get("prodlint")).is_some()
}

struct ConfigFile<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
}

impl ConfigFile<'_> {
    fn error(&self, span: Option<Span>, message: impl Into<String>) -> ConfigError {
        let offset = span.map_or(0, |s| s.start);
        let pos = self.lines.line_col(self.text, offset);
        ConfigError {
            path: self.path.to_path_buf(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }

    /// Applies the file to `settings`; returns its `select` (if any) and `ignore` lists.
    fn apply(
        &self,
        settings: &mut Settings,
    ) -> Result<(Option<Vec<String>>, Vec<String>), ConfigError> {
        let doc = self
            .text
            .parse::<toml_edit::Document<String>>()
            .map_err(|e| self.error(e.span(), e.message().trim()))?;
        let is_pyproject = self.path.file_name().is_some_and(|n| n == "pyproject.toml");
        let root: &dyn TableLike = doc.as_table();
        let nested = root
            .get("tool")
            .and_then(|t| t.get("prodlint"))
            .and_then(Item::as_table_like);
        let table = match nested {
            Some(t) => t,
            None if is_pyproject => return Ok((None, Vec::new())),
            None => root,
        };
        // prodlint.toml may hold the pyproject form (`[tool.prodlint]`, pasted from the docs);
        // anything beside it would then be silently ignored, which the spec forbids.
        if nested.is_some() && !is_pyproject {
            if let Some((key, _)) = root.iter().find(|(k, _)| *k != "tool") {
                let span = root.key(key).and_then(|k| k.span());
                return Err(self.error(
                    span,
                    format!(
                        "unknown key `{key}` beside [tool.prodlint] (put it under [tool.prodlint])"
                    ),
                ));
            }
        }
        let registry = Registry::get();
        let mut select = None;
        let mut ignore = Vec::new();
        for (key, item) in table.iter() {
            let key_span = table.key(key).and_then(|k| k.span());
            match key {
                "select" => select = Some(self.rule_list(item, key)?),
                "ignore" => ignore = self.rule_list(item, key)?,
                "exclude" => settings.exclude = self.globs(item, key)?,
                "fail-on" => {
                    settings.fail_on = self.severity(item)?;
                }
                "baseline" => {
                    let Some(file) = item.as_str().filter(|f| !f.is_empty()) else {
                        return Err(self.error(item.span(), "`baseline` must be a file name"));
                    };
                    let dir = self.path.parent().unwrap_or(Path::new(""));
                    settings.baseline = Some(dir.join(file));
                }
                "max-file-size" => {
                    let Some(n) = item.as_integer().filter(|n| *n > 0) else {
                        return Err(self.error(item.span(), "`max-file-size` must be a positive number of bytes"));
                    };
                    settings.max_file_size = n as u64;
                }
                "severity" => {
                    let sub = self.table(item, key)?;
                    for (code, value) in sub.iter() {
                        let span = sub.key(code).and_then(|k| k.span());
                        let Some(rule) = registry.find(code) else {
                            return Err(self.error(span, format!("unknown rule `{code}` in [severity]")));
                        };
                        settings.severity[rule] = Some(self.severity(value)?);
                    }
                }
                "per-file-ignores" => {
                    let sub = self.table(item, key)?;
                    for (pattern, value) in sub.iter() {
                        let span = sub.key(pattern).and_then(|k| k.span());
                        let glob = Glob::new(pattern).map_err(|e| self.error(span.clone(), format!("bad glob `{pattern}`: {e}")))?;
                        let mut set = GlobSetBuilder::new();
                        set.add(glob);
                        let set = set.build().map_err(|e| self.error(span, format!("bad glob `{pattern}`: {e}")))?;
                        let mut rules = Vec::new();
                        for code in self.rule_list(value, pattern)? {
                            rules.extend(registry.select(&code));
                        }
                        settings.per_file_ignores.push((set, rules));
                    }
                }
                "roles" => {
                    let sub = self.table(item, key)?;
                    for (name, value) in sub.iter() {
                        let span = sub.key(name).and_then(|k| k.span());
                        let Some(role) = Role::from_name(name) else {
                            let known: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                            return Err(self.error(span, format!("unknown role `{name}` in [roles] (known: {})", known.join(", "))));
                        };
                        for (pattern, pattern_span) in self.strings(value, name)? {
                            let glob = Glob::new(&pattern).map_err(|e| self.error(pattern_span.clone(), format!("bad glob `{pattern}`: {e}")))?;
                            let set = GlobSetBuilder::new().add(glob).build().map_err(|e| self.error(pattern_span, format!("bad glob `{pattern}`: {e}")))?;
                            settings.roles.push((set, pattern, role));
                        }
                    }
                }
                "rules" => {
                    let sub = self.table(item, key)?;
                    for (code, value) in sub.iter() {
                        let span = sub.key(code).and_then(|k| k.span());
                        let Some(rule) = registry.find(code) else {
                            return Err(self.error(span, format!("unknown rule `{code}` in [rules]")));
                        };
                        let options = self.table(value, code)?;
                        self.rule_options(rule, options, &mut settings.options[rule])?;
                    }
                }
                other => {
                    return Err(self.error(
                        key_span,
                        format!("unknown key `{other}` (expected select, ignore, exclude, fail-on, max-file-size, baseline, severity, per-file-ignores, roles, rules)"),
                    ))
                }
            }
        }
        Ok((select, ignore))
    }

    fn table<'t>(&self, item: &'t Item, key: &str) -> Result<&'t dyn TableLike, ConfigError> {
        item.as_table_like()
            .ok_or_else(|| self.error(item.span(), format!("`{key}` must be a table")))
    }

    fn strings(&self, item: &Item, key: &str) -> Result<Vec<(String, Option<Span>)>, ConfigError> {
        let Some(array) = item.as_array() else {
            return Err(self.error(item.span(), format!("`{key}` must be a list of strings")));
        };
        array
            .iter()
            .map(|v| match v.as_str() {
                Some(s) => Ok((s.to_string(), v.span())),
                None => Err(self.error(v.span(), format!("`{key}` must be a list of strings"))),
            })
            .collect()
    }

    fn rule_list(&self, item: &Item, key: &str) -> Result<Vec<String>, ConfigError> {
        let registry = Registry::get();
        let mut out = Vec::new();
        for (code, span) in self.strings(item, key)? {
            if registry.select(&code).is_empty() {
                return Err(self.error(span, format!("unknown rule, prefix or name `{code}`")));
            }
            out.push(code);
        }
        Ok(out)
    }

    fn globs(&self, item: &Item, key: &str) -> Result<GlobSet, ConfigError> {
        let mut set = GlobSetBuilder::new();
        for (pattern, span) in self.strings(item, key)? {
            let glob = Glob::new(&pattern)
                .map_err(|e| self.error(span, format!("bad glob `{pattern}`: {e}")))?;
            set.add(glob);
            // `dir/**` should also exclude `dir` itself when a walk reaches it.
            if let Some(dir) = pattern.strip_suffix("/**") {
                if let Ok(g) = Glob::new(dir) {
                    set.add(g);
                }
            }
        }
        set.build()
            .map_err(|e| self.error(item.span(), format!("bad glob: {e}")))
    }

    fn severity(&self, item: &Item) -> Result<Severity, ConfigError> {
        item.as_str()
            .and_then(Severity::parse)
            .ok_or_else(|| self.error(item.span(), "expected \"error\", \"warning\" or \"info\""))
    }

    fn rule_options(
        &self,
        rule: usize,
        table: &dyn TableLike,
        out: &mut RuleOptions,
    ) -> Result<(), ConfigError> {
        let meta = &Registry::get().rules[rule].meta;
        for (name, item) in table.iter() {
            let key_span = table.key(name).and_then(|k| k.span());
            let Some(option) = meta.options.iter().find(|o| o.name == name) else {
                let known: Vec<_> = meta.options.iter().map(|o| o.name.as_str()).collect();
                let hint = if known.is_empty() {
                    "it has no options".to_string()
                } else {
                    format!("known: {}", known.join(", "))
                };
                return Err(self.error(
                    key_span,
                    format!("unknown option `{name}` for {} ({hint})", meta.code),
                ));
            };
            let value = match option.ty {
                OptionType::Bool => item.as_bool().map(toml::Value::Boolean),
                OptionType::Int => item.as_integer().map(toml::Value::Integer),
                OptionType::String => item
                    .as_str()
                    .filter(|s| option.one_of.is_empty() || option.one_of.iter().any(|o| o == s))
                    .map(|s| toml::Value::String(s.to_string())),
                OptionType::StringList => item.as_array().and_then(|a| {
                    a.iter()
                        .map(|v| {
                            v.as_str()
                                .filter(|s| {
                                    option.one_of.is_empty() || option.one_of.iter().any(|o| o == s)
                                })
                                .map(|s| toml::Value::String(s.to_string()))
                        })
                        .collect::<Option<Vec<_>>>()
                        .map(toml::Value::Array)
                }),
            };
            let Some(value) = value else {
                let expected = match option.ty {
                    OptionType::Bool => "a boolean".to_string(),
                    OptionType::Int => "an integer".to_string(),
                    OptionType::String if !option.one_of.is_empty() => {
                        format!("one of {}", option.one_of.join(", "))
                    }
                    OptionType::String => "a string".to_string(),
                    OptionType::StringList if !option.one_of.is_empty() => {
                        format!("a list of {}", option.one_of.join(", "))
                    }
                    OptionType::StringList => "a list of strings".to_string(),
                };
                return Err(self.error(
                    item.span(),
                    format!("option `{name}` of {} must be {expected}", meta.code),
                ));
            };
            out.insert(name.to_string(), value);
        }
        Ok(())
    }
}
