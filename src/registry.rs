//! Rule metadata (parsed from each rule's TOML), the binding of a rule to the file kind it
//! checks, and the context a check reports through.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::facts::ProjectFacts;
use crate::model::{DotenvFile, PrecommitFile, ScriptsFile, WorkflowFile};
use crate::parse::dockerfile::Dockerfile;
use crate::python::PythonModule;
use crate::source::{FileId, Span};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    File,
    Project,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::File => "file",
            RuleKind::Project => "project",
        }
    }
}

/// One `[[example]]` of a rule's TOML: `bad` must fire, `good` must not.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// File name the example is linted as (`Dockerfile`, `app/main.py`).
    pub path: String,
    pub bad: String,
    pub good: String,
    /// Other files of the example project, the same for `bad` and `good` (a project rule
    /// that reads a compose file and the code it builds).
    #[serde(default, rename = "with")]
    pub with: Vec<ExampleFile>,
}

/// A file written beside an example's `bad`/`good` file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFile {
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptionType {
    Bool,
    Int,
    String,
    StringList,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionMeta {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: OptionType,
    pub default: toml::Value,
    pub doc: String,
    /// For string and string-list options: the accepted values.
    #[serde(default)]
    pub one_of: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub code: String,
    pub name: String,
    pub kind: RuleKind,
    pub severity: Severity,
    /// File kinds the rule reads, for documentation.
    pub files: Vec<String>,
    pub summary: String,
    pub rationale: String,
    pub fix: String,
    /// Whether `--fix` can fix the rule's findings: `safe` (`--fix` applies them; a rule may
    /// still mark one finding's fix unsafe), `unsafe` (only with `--unsafe-fixes`), absent: no
    /// fix. Which findings get one is said in the rule's `fix` text.
    #[serde(default)]
    pub autofix: Option<crate::diagnostic::Applicability>,
    /// The section of the audit checklist the rule comes from.
    pub checklist: String,
    /// The roles of files the rule judges (`service`, `test`, `docs`, `script`, `dev`,
    /// `migration`, `vendored`, `generated`): the engine drops findings in files of other
    /// roles. Every rule declares at least one (the metadata test checks it).
    #[serde(default)]
    pub roles: Vec<crate::model::roles::Role>,
    /// A lower severity for findings in files of some judged roles (a secret in a test file is
    /// still a leak, but a smaller one).
    #[serde(default, rename = "role-severity")]
    pub role_severity: BTreeMap<crate::model::roles::Role, Severity>,
    /// The closest rule of a peer tool, if any.
    #[serde(default)]
    pub peers: Option<String>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
    #[serde(default, rename = "option")]
    pub options: Vec<OptionMeta>,
}

/// Which parsed form a rule's check receives; the variant binds the kind, so a check written
/// for Dockerfiles cannot be wired to Python.
#[derive(Clone, Copy)]
pub enum Check {
    Dockerfile(fn(&Dockerfile<'_, '_>, &mut Ctx<'_>)),
    /// A Dockerfile judged as the image one stage builds (the last stage, or a `--target`):
    /// run for every stage that may be built, kept per stage, and reported in the project phase
    /// for the stages something builds (`crate::model::built`).
    FinalImage(fn(&Dockerfile<'_, '_>, usize, &mut Ctx<'_>)),
    Workflow(fn(&WorkflowFile<'_>, &mut Ctx<'_>)),
    Precommit(fn(&PrecommitFile<'_>, &mut Ctx<'_>)),
    /// Shell scripts wherever they are: `*.sh` files and workflow `run:` / ssh `script:` blocks.
    Scripts(fn(&ScriptsFile<'_>, &mut Ctx<'_>)),
    Dotenv(fn(&DotenvFile<'_>, &mut Ctx<'_>)),
    /// Python modules, with the project's Python index for names defined elsewhere.
    Python(fn(&PythonModule<'_>, &mut Ctx<'_>)),
    /// The decoded text of every linted file, whatever its kind (credential formats).
    Text(fn(&TextFile<'_>, &mut Ctx<'_>)),
    /// A rule that checks several file kinds (SEC001: Python names and text formats).
    Many(&'static [Check]),
    Project(fn(&ProjectFacts, &mut Ctx<'_>)),
    /// Reported by the engine itself (suppressions, parse errors).
    Engine,
}

/// Any linted file's decoded text.
pub struct TextFile<'a> {
    pub text: &'a str,
    /// Path relative to the project root.
    pub path: &'a std::path::Path,
    pub kind: crate::kind::FileKind,
}

impl Check {
    /// The checks of a rule: itself, or each of a `Many`.
    pub fn parts(&self) -> &[Check] {
        match self {
            Check::Many(parts) => parts,
            other => std::slice::from_ref(other),
        }
    }
}

pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

impl Rule {
    /// Where the rule lives in this repository: `rules/<family>/<name>.rs`, the family being the
    /// code's prefix in lower case and the file the name with `_` for `-`; its TOML sits beside
    /// it. The engine's own rules (SUP) have only the TOML. `tests/metadata.rs` checks the file
    /// exists for every rule, so the convention cannot drift.
    pub fn source_path(&self) -> String {
        let family = self
            .meta
            .code
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_ascii_lowercase();
        let stem = self.meta.name.replace('-', "_");
        let ext = if matches!(self.check, Check::Engine) {
            "toml"
        } else {
            "rs"
        };
        format!("rules/{family}/{stem}.{ext}")
    }
}

pub struct Registry {
    pub rules: Vec<Rule>,
}

pub static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut rules: Vec<Rule> = crate::rules::all()
        .map(|(source, check)| {
            let meta: RuleMeta = toml::from_str(source).unwrap_or_else(|e| {
                panic!("internal error: rule metadata does not parse: {e}\n{source}")
            });
            Rule {
                meta,
                check: *check,
            }
        })
        .collect();
    // Catalog order (RULES.md): families in checklist order, codes ascending, SUP last.
    const FAMILIES: &[&str] = &[
        "API", "DB", "HA", "DKR", "GHA", "PCM", "SEC", "OBS", "DEP", "SUP",
    ];
    let rank = |code: &str| {
        let family = code.trim_end_matches(|c: char| c.is_ascii_digit());
        FAMILIES
            .iter()
            .position(|f| *f == family)
            .unwrap_or(FAMILIES.len())
    };
    rules.sort_by(|a, b| {
        rank(&a.meta.code)
            .cmp(&rank(&b.meta.code))
            .then(a.meta.code.cmp(&b.meta.code))
    });
    Registry { rules }
});

impl Registry {
    pub fn get() -> &'static Registry {
        &REGISTRY
    }

    /// Finds a rule by code (`DKR002`) or name (`runs-as-root`), case-insensitively for codes.
    pub fn find(&self, code_or_name: &str) -> Option<usize> {
        self.rules.iter().position(|r| {
            r.meta.code.eq_ignore_ascii_case(code_or_name) || r.meta.name == code_or_name
        })
    }

    pub fn index_of_code(&self, code: &str) -> usize {
        self.find(code)
            .unwrap_or_else(|| panic!("internal error: rule {code} is not registered"))
    }

    /// Indexes of the rules a selector names: `ALL`, a code, a code prefix (`DKR`, `DKR00`) or a name.
    pub fn select(&self, selector: &str) -> Vec<usize> {
        if selector.eq_ignore_ascii_case("ALL") {
            return (0..self.rules.len()).collect();
        }
        if let Some(i) = self.rules.iter().position(|r| r.meta.name == selector) {
            return vec![i];
        }
        let upper = selector.to_ascii_uppercase();
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| !upper.is_empty() && r.meta.code.starts_with(&upper))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Resolved options of every rule: each rule's declared defaults overlaid with the config.
pub type RuleOptions = BTreeMap<String, toml::Value>;

/// Where a check reports. It already knows the rule and the file, so no rule writes its own code.
pub struct Ctx<'a> {
    pub rule: usize,
    pub file: FileId,
    severity: Severity,
    options: &'a RuleOptions,
    out: &'a mut Vec<Diagnostic>,
}

/// A finding being reported; `.help(...)` and `.severity(...)` refine it.
pub struct Report<'a>(&'a mut Diagnostic);

impl Report<'_> {
    pub fn help(self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// Attaches a fix, as safe as the rule's TOML declares (`autofix`). A rule that declares no
    /// fix gets none: the TOML is the one place that says a rule fixes.
    pub fn fix(self, edits: Vec<Edit>) -> Self {
        let declared = Registry::get().rules[self.0.rule].meta.autofix;
        self.0.fix = declared.map(|applicability| Fix {
            edits,
            applicability,
        });
        self
    }

    /// Attaches a fix that may change what the code does here, even if the rule's fixes are
    /// usually safe: applied only with `--unsafe-fixes`.
    pub fn unsafe_fix(self, edits: Vec<Edit>) -> Self {
        let declared = Registry::get().rules[self.0.rule].meta.autofix;
        self.0.fix = declared.map(|_| Fix {
            edits,
            applicability: Applicability::Unsafe,
        });
        self
    }

    /// Overrides the rule's default severity for this finding (rules with E/W variants).
    pub fn severity(self, severity: Severity) -> Self {
        self.0.severity = severity;
        self
    }
}

impl<'a> Ctx<'a> {
    pub fn new(
        rule: usize,
        file: FileId,
        options: &'a RuleOptions,
        out: &'a mut Vec<Diagnostic>,
    ) -> Self {
        let severity = Registry::get().rules[rule].meta.severity;
        Ctx {
            rule,
            file,
            severity,
            options,
            out,
        }
    }

    pub fn report(&mut self, span: Span, message: impl Into<String>) -> Report<'_> {
        let file = self.file;
        self.report_in(file, span, message)
    }

    /// For project rules: a finding in any file of the project.
    pub fn report_in(
        &mut self,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Report<'_> {
        self.out.push(Diagnostic {
            rule: self.rule,
            file,
            span,
            severity: self.severity,
            message: message.into(),
            help: None,
            fix: None,
        });
        let last = self.out.len() - 1;
        Report(&mut self.out[last])
    }

    /// The rule's typed options. Values were validated against the rule's declared options when
    /// the config was loaded, so a failure here is an internal error; defaults are used then.
    pub fn options<T: DeserializeOwned + Default>(&self) -> T {
        let table: toml::Table = self
            .options
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        toml::Value::Table(table).try_into().unwrap_or_default()
    }
}
