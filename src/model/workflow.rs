//! A GitHub Actions workflow over the span-carrying YAML tree (GitHub docs, "Workflow syntax for
//! GitHub Actions"). Each element keeps its key and value nodes so findings point at the exact
//! `uses:` value, the job's key or the expression inside a `run:` block.

use super::scripts::{Script, ScriptOrigin};
use super::ScalarMap;
use crate::parse::yaml::{Yaml, YamlValue};

pub struct Workflow<'y> {
    pub doc: &'y Yaml,
    /// Events from `on:` in any of its forms (string, list, map), with their nodes.
    pub events: Vec<(&'y str, &'y Yaml)>,
    /// The `on` key (YAML 1.1 readers turn a bare `on` into `true`; saphyr keeps the text).
    pub on_key: Option<&'y Yaml>,
    pub permissions: Option<&'y Yaml>,
    pub concurrency: Option<&'y Yaml>,
    pub jobs: Vec<Job<'y>>,
    /// Built from a composite action's `action.yml`: one job, `runs`, whose steps are the
    /// action's `runs.steps`. It has no triggers, permissions or runner of its own: the calling
    /// job's apply.
    pub action: bool,
}

pub struct Job<'y> {
    pub id: &'y str,
    pub key: &'y Yaml,
    pub node: &'y Yaml,
    pub name: Option<&'y str>,
    pub permissions: Option<&'y Yaml>,
    /// `environment:` as a string or a map with `name:`.
    pub environment: Option<&'y Yaml>,
    pub concurrency: Option<&'y Yaml>,
    /// A reusable-workflow call: `jobs.<id>.uses`.
    pub uses: Option<&'y Yaml>,
    /// `runs-on:` as a label, a list of labels, or a map with `labels:`/`group:`.
    pub runs_on: Option<&'y Yaml>,
    pub steps: Vec<Step<'y>>,
}

pub struct Step<'y> {
    pub node: &'y Yaml,
    /// `id:`, the name later steps read outputs by.
    pub id: Option<&'y str>,
    pub name: Option<&'y str>,
    pub uses: Option<&'y Yaml>,
    pub run: Option<&'y Yaml>,
    pub with: Option<&'y Yaml>,
    pub env: Option<&'y Yaml>,
    pub shell: Option<&'y str>,
}

impl<'y> Step<'y> {
    pub fn uses_str(&self) -> Option<&'y str> {
        self.uses.and_then(Yaml::as_str)
    }

    pub fn with_input(&self, name: &str) -> Option<(&'y Yaml, &'y Yaml)> {
        self.with.and_then(|w| w.entry(name))
    }
}

impl<'y> Job<'y> {
    pub fn display_name(&self) -> &'y str {
        self.name.unwrap_or(self.id)
    }

    /// The `runs-on:` labels as written: `ubuntu-latest`, `[self-hosted, linux]`, or the
    /// `labels:` of the map form. Expressions stay unexpanded.
    pub fn runner_labels(&self) -> Vec<&'y str> {
        let Some(node) = self.runs_on else {
            return Vec::new();
        };
        let node = node.get("labels").unwrap_or(node);
        match node.as_str() {
            Some(label) => vec![label],
            None => node.as_seq().iter().filter_map(Yaml::as_str).collect(),
        }
    }

    /// Whether GitHub provisions the job's machine as far as the file tells: no `self-hosted`
    /// label and no runner group (`runs-on: {group: …}` may hold self-hosted machines).
    pub fn is_github_hosted(&self) -> bool {
        let grouped = self.runs_on.is_some_and(|n| n.get("group").is_some());
        !grouped
            && !self
                .runner_labels()
                .iter()
                .any(|l| l.eq_ignore_ascii_case("self-hosted"))
    }
}

/// The `steps:` of a job (or of a composite action's `runs:`).
fn steps_of(node: &Yaml) -> Vec<Step<'_>> {
    node.get("steps")
        .map(|s| {
            s.as_seq()
                .iter()
                .map(|step| Step {
                    node: step,
                    id: str_of(step, "id"),
                    name: str_of(step, "name"),
                    uses: step.get("uses"),
                    run: step.get("run"),
                    with: step.get("with"),
                    env: step.get("env"),
                    shell: str_of(step, "shell"),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn str_of<'y>(node: &'y Yaml, key: &str) -> Option<&'y str> {
    node.get(key).and_then(Yaml::as_str)
}

impl<'y> Workflow<'y> {
    pub fn new(doc: &'y Yaml) -> Workflow<'y> {
        // `on` may be read as the boolean key `true` by YAML 1.1 tools; accept both spellings.
        let on_entry = doc.entry("on").or_else(|| doc.entry("true"));
        let mut events = Vec::new();
        if let Some((_, on)) = on_entry {
            match &on.value {
                YamlValue::Scalar(s) => events.push((s.as_str(), on)),
                YamlValue::Seq(items) => {
                    events.extend(items.iter().filter_map(|i| i.as_str().map(|s| (s, i))))
                }
                YamlValue::Map(entries) => events.extend(
                    entries
                        .iter()
                        .filter_map(|(k, _)| k.as_str().map(|s| (s, k))),
                ),
                YamlValue::Null => {}
            }
        }
        let jobs = doc
            .get("jobs")
            .map(|jobs| {
                jobs.entries()
                    .iter()
                    .filter_map(|(key, node)| {
                        let id = key.as_str()?;
                        let steps = steps_of(node);
                        Some(Job {
                            id,
                            key,
                            node,
                            name: str_of(node, "name"),
                            permissions: node.get("permissions"),
                            environment: node.get("environment"),
                            concurrency: node.get("concurrency"),
                            uses: node.get("uses"),
                            runs_on: node.get("runs-on"),
                            steps,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Workflow {
            doc,
            events,
            on_key: on_entry.map(|(k, _)| k),
            permissions: doc.get("permissions"),
            concurrency: doc.get("concurrency"),
            jobs,
            action: false,
        }
    }

    /// A composite action (`runs.using: composite`) as a workflow of one job named `runs`;
    /// any other action (node, docker) has no steps and gives an empty workflow.
    pub fn from_action(doc: &'y Yaml) -> Workflow<'y> {
        let composite = doc
            .path(&["runs", "using"])
            .and_then(Yaml::as_str)
            .is_some_and(|u| u.eq_ignore_ascii_case("composite"));
        let jobs = doc
            .entry("runs")
            .filter(|_| composite)
            .map(|(key, node)| Job {
                id: "runs",
                key,
                node,
                name: str_of(doc, "name"),
                permissions: None,
                environment: None,
                concurrency: None,
                uses: None,
                runs_on: None,
                steps: steps_of(node),
            })
            .into_iter()
            .collect();
        Workflow {
            doc,
            events: Vec::new(),
            on_key: None,
            permissions: None,
            concurrency: None,
            jobs,
            action: true,
        }
    }

    pub fn has_event(&self, name: &str) -> bool {
        self.events.iter().any(|(e, _)| *e == name)
    }
}

/// ssh deploy actions that run their `with: script:` on a remote host.
pub fn is_ssh_script_action(uses: &str) -> bool {
    let name = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "appleboy/ssh-action"
            | "garygrossgarten/github-action-ssh"
            | "cross-the-world/ssh-scp-ssh-pipelines"
    )
}

/// Every shell script of a workflow: `run:` blocks (bash unless `shell:` says another shell)
/// and the remote `script:` of ssh deploy actions, each parsed once.
pub fn scripts(file_text: &str, workflow: &Workflow<'_>) -> Vec<Script> {
    // One parse-time budget for all the scripts of the file.
    let _budget = crate::parse::shell::ParseBudget::start(file_text.len());
    let mut out = Vec::new();
    for (job_index, job) in workflow.jobs.iter().enumerate() {
        for (step_index, step) in job.steps.iter().enumerate() {
            if let Some(run) = step.run {
                let shell = step.shell.unwrap_or("bash");
                let is_posix = ["bash", "sh"]
                    .iter()
                    .any(|s| shell == *s || shell.starts_with(&format!("{s} ")));
                if is_posix {
                    if let Some(text) = run.as_str() {
                        out.push(Script::new(
                            text,
                            ScalarMap::new(file_text, run),
                            ScriptOrigin::RunStep {
                                job: job_index,
                                step: step_index,
                            },
                        ));
                    }
                }
            }
            if step.uses_str().is_some_and(is_ssh_script_action) {
                if let Some((_, script)) = step.with_input("script") {
                    if let Some(text) = script.as_str() {
                        out.push(Script::new(
                            text,
                            ScalarMap::new(file_text, script),
                            ScriptOrigin::SshScript {
                                job: job_index,
                                step: step_index,
                            },
                        ));
                    }
                }
            }
        }
    }
    out
}

/// What a `uses:` value names (GitHub docs, "Workflow syntax": `jobs.<id>.steps[*].uses` and
/// `jobs.<id>.uses`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uses<'a> {
    /// `./path/to/action` or `./.github/workflows/x.yml`: in this repository, at this commit.
    Local(&'a str),
    /// `docker://image[:tag][@sha256:…]`.
    Docker {
        image: &'a str,
        tag: Option<&'a str>,
        digest: Option<&'a str>,
    },
    /// `owner/repo[/path]@ref`: an action, or a reusable workflow when `path` is a workflow file.
    Repo {
        owner: &'a str,
        repo: &'a str,
        path: Option<&'a str>,
        /// `None` when the value has no `@` (GitHub refuses that for a remote action).
        git_ref: Option<&'a str>,
    },
}

impl Uses<'_> {
    /// `owner/repo`, lowercased: the key action data is stored under.
    pub fn repo_key(&self) -> Option<String> {
        match self {
            Uses::Repo { owner, repo, .. } => Some(format!("{owner}/{repo}").to_ascii_lowercase()),
            _ => None,
        }
    }
}

/// Parses a `uses:` value. `None` for what cannot be judged statically (an expression) or is
/// not a reference at all (empty, no `owner/repo`).
pub fn parse_uses(value: &str) -> Option<Uses<'_>> {
    let value = value.trim();
    if value.is_empty() || value.contains("${{") {
        return None;
    }
    if value.starts_with("./") || value.starts_with("../") {
        return Some(Uses::Local(value));
    }
    if let Some(image) = value.strip_prefix("docker://") {
        if image.is_empty() {
            return None;
        }
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (image, None),
        };
        // A `:` before the last `/` is a registry port, not a tag.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (image, tag) = match rest[last_slash..].rfind(':') {
            Some(c) => (&rest[..last_slash + c], Some(&rest[last_slash + c + 1..])),
            None => (rest, None),
        };
        return Some(Uses::Docker { image, tag, digest });
    }
    let (target, git_ref) = match value.split_once('@') {
        Some((t, r)) => (t, Some(r)),
        None => (value, None),
    };
    let mut parts = target.splitn(3, '/');
    let owner = parts.next().filter(|s| !s.is_empty())?;
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let path = parts.next().filter(|s| !s.is_empty());
    Some(Uses::Repo {
        owner,
        repo,
        path,
        git_ref,
    })
}

/// The comment after a node on its own line (`uses: a/b@<sha> # v4.1.1` gives `v4.1.1`), where
/// pinning tools write the version a SHA stands for.
pub fn trailing_comment<'t>(text: &'t str, node: &Yaml) -> Option<&'t str> {
    let rest = text.get(node.span.end..)?;
    let line = rest.split('\n').next().unwrap_or("");
    let hash = line.find('#')?;
    // YAML needs a space before `#` for a comment; the value has ended, so anything else is junk.
    Some(line[hash + 1..].trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_forms() {
        assert_eq!(
            parse_uses("./.github/workflows/x.yml"),
            Some(Uses::Local("./.github/workflows/x.yml"))
        );
        assert_eq!(
            parse_uses("docker://localhost:5000/tool:1.2@sha256:ab"),
            Some(Uses::Docker {
                image: "localhost:5000/tool",
                tag: Some("1.2"),
                digest: Some("sha256:ab")
            })
        );
        assert_eq!(
            parse_uses("docker://localhost:5000/tool"),
            Some(Uses::Docker {
                image: "localhost:5000/tool",
                tag: None,
                digest: None
            })
        );
        assert_eq!(
            parse_uses("org/repo/.github/workflows/x.yml@main"),
            Some(Uses::Repo {
                owner: "org",
                repo: "repo",
                path: Some(".github/workflows/x.yml"),
                git_ref: Some("main")
            })
        );
        assert_eq!(
            parse_uses("Actions/Checkout@v4").and_then(|u| u.repo_key()),
            Some("actions/checkout".to_string())
        );
        assert_eq!(parse_uses("${{ matrix.action }}"), None);
        assert_eq!(parse_uses("docker://"), None);
        assert_eq!(parse_uses("a/@x"), None);
    }

    #[test]
    fn comments_after_values() {
        let text = "uses: a/b@0123 # v4.1.1\nnext: x # other\n";
        let docs = crate::parse::yaml::parse(text).ok().expect("yaml");
        let node = docs[0].get("uses").expect("uses");
        assert_eq!(trailing_comment(text, node), Some("v4.1.1"));
    }
}
