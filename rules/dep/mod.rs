//! Deploy-script rules (§4.4, §4.1 deploy job): shell scripts and the `run:` / ssh `script:`
//! blocks of workflows. Rules of this family, their registration list (see rules/mod.rs) and
//! what they share: where a command runs in a script and what kind of script it is.

pub mod deploy_without_strict_mode;
pub mod fixed_sleep_health_check;
pub mod migrations_after_rollout;
pub mod unsafe_env_export;

use crate::model::commands;
use crate::model::scripts::{Script, ScriptOrigin};
use crate::model::workflow::{Job, Step};
use crate::model::ScriptsFile;
use crate::parse::shell::ShellCommand;
use crate::registry::Check;
use crate::source::Span;

/// Every rule of the family, in code order.
pub static RULES: &[(&str, Check)] = &[
    (
        migrations_after_rollout::META,
        Check::Scripts(migrations_after_rollout::check),
    ),
    (
        unsafe_env_export::META,
        Check::Scripts(unsafe_env_export::check),
    ),
    (
        deploy_without_strict_mode::META,
        Check::Scripts(deploy_without_strict_mode::check),
    ),
    (
        fixed_sleep_health_check::META,
        Check::Scripts(fixed_sleep_health_check::check),
    ),
];

/// Where a command runs: its position in execution order and the `if`/`case` arms around it.
/// A command in a function body runs at the function's first call, inside that call's arms.
pub struct Placement {
    pub order: Vec<usize>,
    pub branches: Vec<(usize, usize)>,
}

impl Placement {
    pub fn exclusive_with(&self, other: &Placement) -> bool {
        self.branches.iter().any(|(construct, arm)| {
            other
                .branches
                .iter()
                .any(|(c, a)| c == construct && a != arm)
        })
    }
}

/// Where every command of a script runs; `None` for a command in a function that is never
/// called from outside itself. Linear in the script: each function's first call is looked up
/// once.
pub fn placements(commands: &[ShellCommand]) -> Vec<Option<Placement>> {
    let mut first_call: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, c) in commands.iter().enumerate() {
        if c.function.as_deref() != Some(c.name.text.as_str()) {
            first_call.entry(c.name.text.as_str()).or_insert(i);
        }
    }
    (0..commands.len())
        .map(|i| placement_at(commands, &first_call, i, 0))
        .collect()
}

fn placement_at(
    commands: &[ShellCommand],
    first_call: &std::collections::HashMap<&str, usize>,
    index: usize,
    depth: usize,
) -> Option<Placement> {
    let cmd = commands.get(index)?;
    let Some(function) = &cmd.function else {
        return Some(Placement {
            order: vec![index],
            branches: cmd.branches.clone(),
        });
    };
    if depth > 8 {
        return None;
    }
    let call = *first_call.get(function.as_str())?;
    let mut outer = placement_at(commands, first_call, call, depth + 1)?;
    outer.order.push(index);
    outer.branches.extend(cmd.branches.iter().copied());
    Some(outer)
}

/// The job and step a workflow script comes from.
pub fn step_of<'a>(
    file: &'a ScriptsFile<'a>,
    script: &Script,
) -> Option<(&'a Job<'a>, &'a Step<'a>)> {
    let (ScriptOrigin::RunStep { job, step } | ScriptOrigin::SshScript { job, step }) =
        script.origin
    else {
        return None;
    };
    let job = file.workflow?.jobs.get(job)?;
    Some((job, job.steps.get(step)?))
}

/// A script that sets up a throwaway environment rather than deploying: it runs the tests,
/// creates a local Kubernetes cluster, or is a file named for tests or local development.
pub fn is_harness(file: &ScriptsFile<'_>, script: &Script) -> bool {
    let commands = &script.shell.commands;
    let argvs = argvs(commands);
    let runs_tests = argvs.iter().any(|argv| commands::is_test_run(argv));
    let local_cluster = argvs.iter().any(|argv| {
        let argv = commands::unwrap(argv);
        matches!(
            argv,
            ["kind", "create", ..] | ["minikube", "start", ..] | ["k3d", "cluster", "create", ..]
        )
    }) || step_of(file, script).is_some_and(|(job, _)| {
        job.steps.iter().any(|s| {
            s.uses_str().is_some_and(|u| {
                let u = u.to_ascii_lowercase();
                u.contains("kind-action") || u.contains("minikube") || u.contains("k3d")
            })
        })
    });
    runs_tests || local_cluster
}

/// 1-based line of a byte offset of the file (a binary search of the line starts: counting
/// newlines from the top per finding was quadratic in a long script with many findings).
pub fn line_of(file: &crate::model::ScriptsFile<'_>, offset: usize) -> usize {
    file.lines.line_of(offset) + 1
}

/// The first line of a script in the file: where a finding about the whole script points.
pub fn script_start(file: &ScriptsFile<'_>, script: &Script) -> Span {
    let start = script.file_span(&(0..0)).start.min(file.text.len());
    let rest = file.text.get(start..).unwrap_or("");
    let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
    start..start + len
}

/// The words each command runs, with wrapper functions expanded: after
/// `compose() { docker compose -f prod.yml "$@"; }`, `compose up -d` runs
/// `docker compose -f prod.yml up -d`. A wrapper is a function whose body is one command
/// ending in `"$@"`.
pub fn argvs(commands: &[ShellCommand]) -> Vec<Vec<&str>> {
    let mut bodies: std::collections::HashMap<&str, Vec<&ShellCommand>> =
        std::collections::HashMap::new();
    for c in commands {
        if let (Some(f), None, None) = (&c.function, c.parent, c.inline_in) {
            bodies.entry(f.as_str()).or_default().push(c);
        }
    }
    commands
        .iter()
        .map(|cmd| {
            let name = cmd.name.text.as_str();
            let wrapper = match bodies.get(name).map(Vec::as_slice) {
                Some([only]) if cmd.function.as_deref() != Some(name) => Some(*only),
                _ => None,
            };
            let expanded = wrapper.and_then(|only| {
                let (last, init) = only.args.split_last()?;
                matches!(last.text.as_str(), "$@" | "${@}").then(|| {
                    std::iter::once(only.name.text.as_str())
                        .chain(init.iter().map(|a| a.text.as_str()))
                        .chain(cmd.arg_texts())
                        .collect()
                })
            });
            expanded.unwrap_or_else(|| cmd.argv())
        })
        .collect()
}

/// Name parts of a script's path that say it deploys (`deploy.sh`, `release`, `deploy/k8s.sh`,
/// `update_server.sh`, `docker-compose.prod` in a script name).
const LIVE_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "deploys",
    "redeploy",
    "release",
    "rollout",
    "prod",
    "production",
    "staging",
    "update",
    "upgrade",
    "ship",
    "publish",
    "promote",
    "ops",
    "infra",
];

/// Whether a script changes a live environment, as opposed to starting a stack on the
/// developer's machine (`run.sh`: `docker compose up -d --build` then `manage.py migrate`).
/// Remote `script:` blocks and workflow steps are judged by their own rules; a script file
/// counts when its path says so or when it updates code or images in place, pushes images,
/// talks to another host or to a cluster (see `commands::is_live_step`).
pub fn deploys_to_live(file: &ScriptsFile<'_>, script: &Script) -> bool {
    if script.origin != ScriptOrigin::File {
        return true;
    }
    let named = file.path.components().any(|c| {
        c.as_os_str().to_str().is_some_and(|part| {
            part.to_ascii_lowercase()
                .split(|ch: char| !ch.is_ascii_alphanumeric())
                .any(|w| LIVE_WORDS.contains(&w))
        })
    });
    let commands = &script.shell.commands;
    named
        || argvs(commands)
            .iter()
            .any(|argv| commands::is_live_step(argv))
}

/// A short, single-line rendering of a command for messages. Options between the program and
/// its subcommand are elided (`docker-compose … up -d`), then the text is cut at a width.
pub fn describe(cmd: &ShellCommand) -> String {
    const MAX: usize = 48;
    let words = cmd.argv();
    let keep = commands::structure(&words);
    let mut parts: Vec<&str> = Vec::new();
    let last_structural = keep.last().copied().unwrap_or(0);
    for (i, word) in words.iter().enumerate() {
        if i > last_structural || keep.contains(&i) {
            parts.push(word);
        } else if parts.last() != Some(&"…") {
            parts.push("…");
        }
    }
    let text = parts.join(" ");
    if text.chars().count() <= MAX {
        return text;
    }
    let mut cut = String::new();
    for part in &parts {
        if cut.chars().count() + part.chars().count() + 1 > MAX - 2 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(part);
    }
    format!("{cut} …")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::shell::ShellScript;

    fn index_of(script: &ShellScript, program: &str) -> usize {
        script
            .commands
            .iter()
            .position(|c| c.program() == program)
            .unwrap_or_else(|| panic!("no {program}"))
    }

    #[test]
    fn functions_run_where_they_are_called() {
        let s = ShellScript::parse(
            "b() { beta; }\na() { alpha; }\nunused() { gamma; }\na\nb\ncase $1 in x) a;; y) b;; esac\n",
        );
        let (alpha, beta) = (index_of(&s, "alpha"), index_of(&s, "beta"));
        let all = placements(&s.commands);
        let (pa, pb) = (
            all[alpha].as_ref().expect("called"),
            all[beta].as_ref().expect("called"),
        );
        assert!(pa.order < pb.order, "a is called first");
        assert!(all[index_of(&s, "gamma")].is_none());
    }

    #[test]
    fn branches_of_call_sites_are_kept() {
        let s = ShellScript::parse("a() { alpha; }\ncase $1 in x) a;; y) beta;; esac\n");
        let all = placements(&s.commands);
        let pa = all[index_of(&s, "alpha")].as_ref().expect("called");
        let pb = all[index_of(&s, "beta")].as_ref().expect("top level");
        assert!(pa.exclusive_with(pb));
    }

    #[test]
    fn wrapper_functions_expand() {
        let s = ShellScript::parse(
            "dc() { docker compose -f prod.yml \"$@\"; }\ndc up -d\nlog() { echo \"$1\"; date; }\nlog x\n",
        );
        let up = s
            .commands
            .iter()
            .position(|c| c.name.text == "dc")
            .expect("call");
        assert_eq!(
            argvs(&s.commands)[up],
            vec!["docker", "compose", "-f", "prod.yml", "up", "-d"]
        );
        let log = s
            .commands
            .iter()
            .position(|c| c.name.text == "log" && c.function.is_none())
            .expect("call");
        assert_eq!(argvs(&s.commands)[log], vec!["log", "x"]);
    }

    #[test]
    fn descriptions_keep_the_subcommand() {
        let s = ShellScript::parse(
            "docker-compose -f docker-compose.yml -f docker-compose.${ENV}.yml up -d\n\
             docker compose up --build --force-recreate --remove-orphans --wait -d\n",
        );
        assert_eq!(describe(&s.commands[0]), "docker-compose … up -d");
        assert_eq!(
            describe(&s.commands[1]),
            "docker compose up --build --force-recreate …"
        );
    }
}
