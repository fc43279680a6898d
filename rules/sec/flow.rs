//! Where a value in a security rule's call comes from, shared by the Python SEC rules: the
//! function body a call runs in (for names assigned there), how a string was built, and which
//! values are constants.

use crate::python::span_of;
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{
    Expr, ExprCall, InterpolatedStringElement, ModModule, Operator, Parameters, Stmt, StmtClassDef,
};

/// The function body (or module body) a call runs in, to find what a name passed to it was
/// assigned in that body.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub body: &'a [Stmt],
    /// The parameters of the function, `None` at module level: their annotations say what a
    /// value is (`interval: TimeInterval`, `tz: ZoneInfo`).
    pub params: Option<&'a Parameters>,
    /// The class whose method the function is, for `self`.
    pub class: Option<&'a StmtClassDef>,
}

/// A value a name gets in a scope: `x = value`, or `x += value` when `augmented`.
#[derive(Clone, Copy)]
pub struct Assigned<'a> {
    pub value: &'a Expr,
    pub augmented: bool,
    /// Where the assigning statement starts.
    pub at: usize,
}

impl<'a> Scope<'a> {
    /// Every value `name` is assigned in this body (not in nested functions or classes).
    pub fn assignments(&self, name: &str) -> Vec<Assigned<'a>> {
        self.assignments_before(name, usize::MAX)
    }

    /// The values `name` is assigned in statements that start before `offset` (the ones that
    /// can reach a use there, loops aside).
    pub fn assignments_before(&self, name: &str, offset: usize) -> Vec<Assigned<'a>> {
        let mut collector = AssignCollector {
            name,
            out: Vec::new(),
        };
        for stmt in self.body {
            collector.visit_stmt(stmt);
        }
        collector.out.retain(|a| a.at < offset);
        collector.out
    }

    /// The annotation of parameter `name` of the function, if it has one.
    pub fn annotation(&self, name: &str) -> Option<&'a Expr> {
        let params = self.params?;
        params
            .iter_non_variadic_params()
            .find(|p| p.parameter.name.as_str() == name)
            .and_then(|p| p.parameter.annotation.as_deref())
    }

    /// Whether this body defines a (nested) function `name`.
    pub fn defines_function(&self, name: &str) -> bool {
        struct Finder<'n>(&'n str, bool);
        impl<'a> Visitor<'a> for Finder<'_> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                match stmt {
                    Stmt::FunctionDef(f) => self.1 |= f.name.as_str() == self.0,
                    Stmt::ClassDef(_) => {}
                    _ => walk_stmt(self, stmt),
                }
            }
            fn visit_expr(&mut self, _: &'a Expr) {}
        }
        let mut finder = Finder(name, false);
        for stmt in self.body {
            finder.visit_stmt(stmt);
        }
        finder.1
    }

    /// Whether `name` is the variable of a `for` loop in this body that only yields constants:
    /// the index of `range()` / `enumerate()`, or the items of a literal collection or of a
    /// constant (`for table in TABLES`, `for k, v in MAPPING.items()`).
    pub fn loop_bound_safely(&self, name: &str) -> bool {
        struct Finder<'n> {
            name: &'n str,
            bound: bool,
            safe: bool,
        }
        impl<'a> Visitor<'a> for Finder<'_> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                match stmt {
                    Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                    Stmt::For(f) => {
                        if let Some(safe) = loop_target_safe(&f.target, &f.iter, self.name) {
                            self.bound = true;
                            self.safe &= safe;
                        }
                        walk_stmt(self, stmt);
                    }
                    _ => walk_stmt(self, stmt),
                }
            }
            fn visit_expr(&mut self, _: &'a Expr) {}
        }
        let mut finder = Finder {
            name,
            bound: false,
            safe: true,
        };
        for stmt in self.body {
            finder.visit_stmt(stmt);
        }
        finder.bound && finder.safe
    }
}

/// For a `for target in iter` binding `name`: whether the values it gets are constants
/// (`None` when the loop does not bind `name`).
fn loop_target_safe(target: &Expr, iter: &Expr, name: &str) -> Option<bool> {
    let binds = |t: &Expr| matches!(t, Expr::Name(n) if n.id.as_str() == name);
    let elements: Vec<&Expr> = match target {
        Expr::Tuple(t) => t.elts.iter().collect(),
        other => vec![other],
    };
    let position = elements.iter().position(|e| binds(e))?;
    let constant_collection = |e: &Expr| match e {
        Expr::List(l) => l.elts.iter().all(is_constant),
        Expr::Tuple(t) => t.elts.iter().all(is_constant),
        Expr::Set(s) => s.elts.iter().all(is_constant),
        Expr::Dict(d) => d
            .items
            .iter()
            .all(|i| i.key.as_ref().is_some_and(is_constant)),
        other => is_constant(other),
    };
    let safe = match iter {
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Name(n) if n.id.as_str() == "range" => true,
            Expr::Name(n) if n.id.as_str() == "enumerate" => {
                position == 0
                    || c.arguments
                        .find_positional(0)
                        .is_some_and(constant_collection)
            }
            Expr::Attribute(a) if matches!(a.attr.as_str(), "items" | "keys" | "values") => {
                is_constant(&a.value)
            }
            _ => false,
        },
        other => constant_collection(other),
    };
    Some(safe)
}

struct AssignCollector<'n, 'a> {
    name: &'n str,
    out: Vec<Assigned<'a>>,
}

impl<'a> Visitor<'a> for AssignCollector<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == self.name);
        let at = span_of(stmt).start;
        let plain = |value| Assigned {
            value,
            augmented: false,
            at,
        };
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(a) if a.targets.iter().any(is_name) => self.out.push(plain(&a.value)),
            Stmt::AnnAssign(a) if is_name(&a.target) => {
                if let Some(v) = &a.value {
                    self.out.push(plain(v));
                }
            }
            Stmt::AugAssign(a) if is_name(&a.target) && a.op == Operator::Add => {
                self.out.push(Assigned {
                    value: &a.value,
                    augmented: true,
                    at,
                });
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, _: &'a Expr) {}
}

/// Calls `f` with every call of the module and the scope it runs in. Calls in a lambda belong to
/// the enclosing function; calls in a class body to the module.
pub fn for_each_call<'a>(ast: &'a ModModule, f: impl FnMut(&'a ExprCall, Scope<'a>)) {
    let mut walker = CallWalker {
        scopes: vec![Scope {
            body: &ast.body,
            params: None,
            class: None,
        }],
        classes: Vec::new(),
        f,
    };
    for stmt in &ast.body {
        walker.visit_stmt(stmt);
    }
}

struct CallWalker<'a, F> {
    scopes: Vec<Scope<'a>>,
    /// The class bodies being walked, innermost last, with the depth of `scopes` they started
    /// at (a function directly in a class body is its method).
    classes: Vec<(&'a StmtClassDef, usize)>,
    f: F,
}

impl<'a, F: FnMut(&'a ExprCall, Scope<'a>)> Visitor<'a> for CallWalker<'a, F> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(func) = stmt {
            for d in &func.decorator_list {
                self.visit_decorator(d);
            }
            self.visit_parameters(&func.parameters);
            let class = self
                .classes
                .last()
                .filter(|(_, depth)| *depth == self.scopes.len())
                .map(|(c, _)| *c);
            self.scopes.push(Scope {
                body: &func.body,
                params: Some(&func.parameters),
                class,
            });
            for s in &func.body {
                self.visit_stmt(s);
            }
            self.scopes.pop();
            return;
        }
        if let Stmt::ClassDef(class) = stmt {
            self.classes.push((class, self.scopes.len()));
            walk_stmt(self, stmt);
            self.classes.pop();
            return;
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            let scope = *self.scopes.last().expect("internal error: module scope");
            (self.f)(call, scope);
        }
        walk_expr(self, expr);
    }
}

/// How a string expression interpolates values that are not known to be safe, if it does.
pub fn formatting(expr: &Expr, safe: &dyn Fn(&Expr) -> bool) -> Option<&'static str> {
    match expr {
        Expr::FString(f) => f
            .value
            .elements()
            .any(|e| match e {
                InterpolatedStringElement::Interpolation(i) => !safe(&i.expression),
                InterpolatedStringElement::Literal(_) => false,
            })
            .then_some("an f-string"),
        Expr::BinOp(b) if b.op == Operator::Mod && is_string(&b.left) => {
            let unsafe_value = match b.right.as_ref() {
                Expr::Tuple(t) => t.elts.iter().any(|e| !safe(e)),
                Expr::Dict(d) => d.items.iter().any(|i| !safe(&i.value)),
                other => !safe(other),
            };
            unsafe_value.then_some("`%` formatting")
        }
        Expr::Call(call) => {
            let Expr::Attribute(attr) = call.func.as_ref() else {
                return None;
            };
            if attr.attr.as_str() != "format" || !is_string(&attr.value) {
                return None;
            }
            let args = &call.arguments;
            let unsafe_arg =
                args.args.iter().any(|a| !safe(a)) || args.keywords.iter().any(|k| !safe(&k.value));
            unsafe_arg.then_some("`.format()`")
        }
        Expr::BinOp(b) if b.op == Operator::Add => {
            let mut leaves = Vec::new();
            add_leaves(expr, &mut leaves);
            let has_string = leaves.iter().any(|l| is_string(l));
            let unsafe_leaf = leaves.iter().any(|l| match l {
                Expr::StringLiteral(_) => false,
                Expr::FString(_) => formatting(l, safe).is_some(),
                other => !safe(other),
            });
            (has_string && unsafe_leaf).then_some("`+` concatenation")
        }
        _ => None,
    }
}

/// How a string argument was built when it interpolates values that are not `safe`: directly,
/// or through a name assigned (or `+=`-extended) in the same function before the call.
pub struct Built<'e> {
    pub how: &'static str,
    /// The literal text of the string (all assignments of the name, in order), with
    /// [`UNSAFE`] / [`SAFE`] where values are interpolated.
    pub text: String,
    /// The name the string was passed through, if any.
    pub through: Option<&'e str>,
}

pub fn built<'e>(
    arg: &'e Expr,
    scope: Scope<'e>,
    safe: &dyn Fn(&Expr) -> bool,
) -> Option<Built<'e>> {
    if let Some(how) = formatting(arg, safe) {
        return Some(Built {
            how,
            text: literal_text(arg, safe),
            through: None,
        });
    }
    let Expr::Name(name) = arg else {
        return None;
    };
    let assigned = scope.assignments_before(name.id.as_str(), span_of(arg).start);
    let mut how = None;
    let mut text = String::new();
    for a in &assigned {
        text.push_str(&literal_text(a.value, safe));
        text.push('\n');
        let found = formatting(a.value, safe).or_else(|| {
            (a.augmented && !is_string(a.value) && !safe(a.value)).then_some("`+=` concatenation")
        });
        how = how.or(found);
    }
    how.map(|how| Built {
        how,
        text,
        through: Some(name.id.as_str()),
    })
}

fn add_leaves<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    match expr {
        Expr::BinOp(b) if b.op == Operator::Add => {
            add_leaves(&b.left, out);
            add_leaves(&b.right, out);
        }
        other => out.push(other),
    }
}

pub fn is_string(expr: &Expr) -> bool {
    matches!(expr, Expr::StringLiteral(_) | Expr::FString(_))
}

/// Marks an interpolated value that is not known to be safe in [`literal_text`].
pub const UNSAFE: char = '\u{1}';
/// Marks an interpolated value known to be safe in [`literal_text`].
pub const SAFE: char = '\u{2}';

/// The literal text of a string expression with interpolated values replaced by [`UNSAFE`] or
/// [`SAFE`], to read what the string is (SQL, HTML) and where values land in it.
pub fn literal_text(expr: &Expr, safe: &dyn Fn(&Expr) -> bool) -> String {
    let mark = |e: &Expr| if safe(e) { SAFE } else { UNSAFE };
    match expr {
        Expr::StringLiteral(s) => s.value.to_str().to_string(),
        Expr::FString(f) => {
            let mut out = String::new();
            for part in f.value.iter() {
                match part {
                    ruff_python_ast::FStringPart::Literal(l) => out.push_str(&l.value),
                    ruff_python_ast::FStringPart::FString(fs) => {
                        for e in fs.elements.iter() {
                            match e {
                                InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                                InterpolatedStringElement::Interpolation(i) => {
                                    out.push(mark(&i.expression))
                                }
                            }
                        }
                    }
                }
            }
            out
        }
        Expr::BinOp(b) if b.op == Operator::Mod && is_string(&b.left) => {
            literal_text(&b.left, safe)
        }
        Expr::BinOp(b) if b.op == Operator::Add => {
            let mut leaves = Vec::new();
            add_leaves(expr, &mut leaves);
            leaves.iter().map(|l| literal_text(l, safe)).collect()
        }
        Expr::Call(call) => match call.func.as_ref() {
            Expr::Attribute(attr) if attr.attr.as_str() == "format" && is_string(&attr.value) => {
                literal_text(&attr.value, safe)
            }
            // `" AND ".join(f"… {x}" for x in xs)`: the separator and the element's text.
            Expr::Attribute(attr) if attr.attr.as_str() == "join" && is_string(&attr.value) => {
                let element = call.arguments.find_positional(0).and_then(|it| match it {
                    Expr::Generator(g) => Some(&*g.elt),
                    Expr::ListComp(c) => Some(&*c.elt),
                    _ => None,
                });
                let sep = literal_text(&attr.value, safe);
                match element {
                    Some(e) => format!("{}{sep}", literal_text(e, safe)),
                    None => format!("{}{sep}", mark(expr)),
                }
            }
            _ => mark(expr).to_string(),
        },
        other => mark(other).to_string(),
    }
}

/// A value that cannot carry attacker input into a string: a literal, a number, or a name
/// spelled as a constant (`TABLE`, `settings.SCHEMA`).
pub fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::StringLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NoneLiteral(_) => true,
        Expr::Name(n) => is_constant_name(n.id.as_str()),
        Expr::Attribute(a) => is_constant_name(a.attr.as_str()),
        _ => false,
    }
}

fn is_constant_name(name: &str) -> bool {
    let letters = name.trim_start_matches('_');
    letters.chars().any(|c| c.is_ascii_uppercase())
        && letters
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
