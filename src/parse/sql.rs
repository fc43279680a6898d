//! A small, tolerant reader of PostgreSQL DDL: it splits a script into statements and reads the
//! few that schema rules need (`CREATE TABLE` columns and constraints, `ALTER TABLE … ADD`,
//! `CREATE [UNIQUE] INDEX [CONCURRENTLY] … ON t (cols)`, `DROP INDEX/TABLE`). Anything else, or
//! anything it cannot follow, is `Statement::Other`: rules never report from a statement this
//! reader did not understand.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// An unquoted word, lowercased (keywords and identifiers alike).
    Word(String),
    /// A `"quoted"` identifier, as written.
    Quoted(String),
    /// A string constant (`'…'`, `E'…'`, `$$…$$`).
    Str,
    Punct(char),
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Span,
}

/// One statement of a script, with what the schema rules read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From its first token to its last (the `;` excluded).
    pub span: Span,
    pub kind: StatementKind,
}

/// A foreign key (or its columns) declared in DDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlForeignKey {
    pub columns: Vec<String>,
    pub constraint: Option<String>,
    /// The column definition or the `FOREIGN KEY` clause.
    pub span: Span,
}

/// An index or an index-backed constraint (primary key, unique): its columns in order, `None`
/// for an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlKey {
    pub name: Option<String>,
    pub columns: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementKind {
    CreateTable {
        table: String,
        foreign_keys: Vec<SqlForeignKey>,
        keys: Vec<SqlKey>,
    },
    /// `ALTER TABLE t ADD …` (several actions may share one statement).
    AlterTable {
        table: String,
        foreign_keys: Vec<SqlForeignKey>,
        keys: Vec<SqlKey>,
        dropped_columns: Vec<String>,
        dropped_constraints: Vec<String>,
    },
    CreateIndex {
        name: Option<String>,
        table: String,
        columns: Vec<Option<String>>,
        unique: bool,
        concurrently: bool,
        /// `ON ONLY t`: the index of a partitioned table alone, built without touching its
        /// partitions (and CONCURRENTLY is not supported there).
        only: bool,
    },
    DropIndex {
        names: Vec<String>,
    },
    DropTable {
        tables: Vec<String>,
    },
    Other,
}

/// Splits and reads a script. Spans are byte offsets into `text`.
pub fn parse(text: &str) -> Vec<Statement> {
    let tokens = tokenize(text);
    let mut out = Vec::new();
    for stmt in tokens.split(|t| t.tok == Tok::Punct(';')) {
        let (Some(first), Some(last)) = (stmt.first(), stmt.last()) else {
            continue;
        };
        out.push(Statement {
            span: first.span.start..last.span.end,
            kind: read(stmt).unwrap_or(StatementKind::Other),
        });
    }
    out
}

fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // PostgreSQL block comments nest.
                let mut depth = 0;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'\'' => {
                i = skip_quoted(bytes, i, b'\'');
                out.push(Token {
                    tok: Tok::Str,
                    span: start..i,
                });
            }
            b'"' => {
                i = skip_quoted(bytes, i, b'"');
                let inner = text
                    .get(start + 1..i.saturating_sub(1).max(start + 1))
                    .unwrap_or("");
                out.push(Token {
                    tok: Tok::Quoted(inner.replace("\"\"", "\"")),
                    span: start..i,
                });
            }
            b'$' => {
                // `$tag$ … $tag$` (function bodies, DO blocks) or a `$1` parameter.
                let tag_end = bytes[i + 1..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .map(|p| i + 1 + p);
                match tag_end {
                    Some(e) if bytes[e] == b'$' && !bytes[i + 1].is_ascii_digit() => {
                        let tag = &text[i..=e];
                        i = text[e + 1..]
                            .find(tag)
                            .map_or(bytes.len(), |p| e + 1 + p + tag.len());
                        out.push(Token {
                            tok: Tok::Str,
                            span: start..i,
                        });
                    }
                    _ => {
                        i += 1;
                        out.push(Token {
                            tok: Tok::Other,
                            span: start..i,
                        });
                    }
                }
            }
            b'(' | b')' | b',' | b';' | b'.' => {
                i += 1;
                out.push(Token {
                    tok: Tok::Punct(c as char),
                    span: start..i,
                });
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                // `E'…'`: an escape string constant.
                if (b == b'e' || b == b'E') && bytes.get(i + 1) == Some(&b'\'') {
                    i = skip_quoted(bytes, i + 1, b'\'');
                    out.push(Token {
                        tok: Tok::Str,
                        span: start..i,
                    });
                    continue;
                }
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Word(text[start..i].to_lowercase()),
                    span: start..i,
                });
            }
            _ => {
                // Numbers, operators, `::`: one token per character is enough.
                i += 1;
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Other,
                    span: start..i,
                });
            }
        }
    }
    out
}

/// Index after a quoted run starting at `i` (doubled quotes and, for `'`, backslashes escape).
fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    i += 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' && quote == b'\'' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// A cursor over one statement's tokens.
struct Cursor<'t> {
    toks: &'t [Token],
    pos: usize,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<&'t Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn eat(&mut self, w: &str) -> bool {
        let hit = self.is_word(w);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_all(&mut self, words: &[&str]) -> bool {
        let save = self.pos;
        for w in words {
            if !self.eat(w) {
                self.pos = save;
                return false;
            }
        }
        true
    }

    fn eat_punct(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(&Tok::Punct(c));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// One identifier (a word or a quoted name).
    fn ident(&mut self) -> Option<String> {
        let name = match self.peek()? {
            Tok::Word(w) => w.clone(),
            Tok::Quoted(q) => q.clone(),
            _ => return None,
        };
        self.pos += 1;
        Some(name)
    }

    /// `a.b.c`: the last part (schemas are not told apart).
    fn qualified(&mut self) -> Option<String> {
        let mut name = self.ident()?;
        while self.eat_punct('.') {
            name = self.ident()?;
        }
        Some(name)
    }

    /// The tokens of a parenthesised group starting here, split at its top-level commas.
    fn group(&mut self) -> Option<Vec<&'t [Token]>> {
        if !self.eat_punct('(') {
            return None;
        }
        let start = self.pos;
        let mut depth = 0usize;
        let mut parts = Vec::new();
        let mut part_start = start;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Punct('(') => depth += 1,
                Tok::Punct(')') if depth == 0 => {
                    parts.push(&self.toks[part_start..self.pos]);
                    self.pos += 1;
                    return Some(parts);
                }
                Tok::Punct(')') => depth -= 1,
                Tok::Punct(',') if depth == 0 => {
                    parts.push(&self.toks[part_start..self.pos]);
                    part_start = self.pos + 1;
                }
                _ => {}
            }
            self.pos += 1;
        }
        None
    }

    fn rest(&self) -> &'t [Token] {
        &self.toks[self.pos.min(self.toks.len())..]
    }
}

fn read(toks: &[Token]) -> Option<StatementKind> {
    let mut c = Cursor { toks, pos: 0 };
    if c.eat("create") {
        c.eat_all(&["or", "replace"]);
        let unique = c.eat("unique");
        if c.eat("index") {
            return create_index(&mut c, unique);
        }
        for w in ["global", "local", "temp", "temporary", "unlogged"] {
            c.eat(w);
        }
        if c.eat("table") {
            return create_table(&mut c);
        }
        return None;
    }
    if c.eat_all(&["alter", "table"]) {
        return alter_table(&mut c);
    }
    if c.eat_all(&["drop", "index"]) {
        c.eat("concurrently");
        c.eat_all(&["if", "exists"]);
        return Some(StatementKind::DropIndex {
            names: name_list(&mut c)?,
        });
    }
    if c.eat_all(&["drop", "table"]) {
        c.eat_all(&["if", "exists"]);
        return Some(StatementKind::DropTable {
            tables: name_list(&mut c)?,
        });
    }
    None
}

fn name_list(c: &mut Cursor<'_>) -> Option<Vec<String>> {
    let mut names = vec![c.qualified()?];
    while c.eat_punct(',') {
        names.push(c.qualified()?);
    }
    Some(names)
}

fn create_index(c: &mut Cursor<'_>, unique: bool) -> Option<StatementKind> {
    let concurrently = c.eat("concurrently");
    c.eat_all(&["if", "not", "exists"]);
    let name = if c.is_word("on") {
        None
    } else {
        Some(c.qualified()?)
    };
    if !c.eat("on") {
        return None;
    }
    let only = c.eat("only");
    let table = c.qualified()?;
    if c.eat("using") {
        c.ident()?;
    }
    let parts = c.group()?;
    Some(StatementKind::CreateIndex {
        name,
        table,
        columns: parts.iter().map(|p| index_element(p)).collect(),
        unique,
        concurrently,
        only,
    })
}

/// An index element's column, or `None` for an expression (`lower(email)`, `(a + b)`).
fn index_element(part: &[Token]) -> Option<String> {
    let (first, rest) = part.split_first()?;
    let name = match &first.tok {
        Tok::Word(w) => w.clone(),
        Tok::Quoted(q) => q.clone(),
        _ => return None,
    };
    // A column is followed by nothing, or by COLLATE, an operator class, ASC/DESC, NULLS …;
    // a call or a qualified expression is followed by `(` or `.`.
    match rest.first().map(|t| &t.tok) {
        None | Some(Tok::Word(_)) | Some(Tok::Quoted(_)) => Some(name),
        _ => None,
    }
}

fn column_list(part: &[Token]) -> Option<Vec<String>> {
    let mut c = Cursor { toks: part, pos: 0 };
    let cols = c.group()?;
    cols.iter()
        .map(|col| match col {
            [t] => match &t.tok {
                Tok::Word(w) => Some(w.clone()),
                Tok::Quoted(q) => Some(q.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// What a table element or an `ADD` action declares.
#[derive(Default)]
struct Decls {
    foreign_keys: Vec<SqlForeignKey>,
    keys: Vec<SqlKey>,
    primary: Vec<Option<String>>,
}

/// A table constraint (`[CONSTRAINT n] PRIMARY KEY (…) | UNIQUE (…) | FOREIGN KEY (…) …`), or
/// `None` when the element is not one.
fn table_constraint(part: &[Token], out: &mut Decls) -> Option<bool> {
    let mut c = Cursor { toks: part, pos: 0 };
    let constraint = if c.eat("constraint") {
        Some(c.ident()?)
    } else {
        None
    };
    let span_start = part.get(c.pos)?.span.start;
    let span_end = part.last()?.span.end;
    if c.eat_all(&["primary", "key"]) {
        let cols = column_list(c.rest())?;
        out.keys.push(SqlKey {
            name: constraint,
            columns: cols.into_iter().map(Some).collect(),
        });
        return Some(true);
    }
    if c.eat("unique") {
        c.eat_all(&["nulls", "not", "distinct"]);
        c.eat_all(&["nulls", "distinct"]);
        let cols = column_list(c.rest())?;
        out.keys.push(SqlKey {
            name: constraint,
            columns: cols.into_iter().map(Some).collect(),
        });
        return Some(true);
    }
    if c.eat_all(&["foreign", "key"]) {
        let cols = column_list(c.rest())?;
        out.foreign_keys.push(SqlForeignKey {
            columns: cols,
            constraint,
            span: span_start..span_end,
        });
        return Some(true);
    }
    if constraint.is_some() || c.is_word("check") || c.is_word("exclude") || c.is_word("like") {
        return Some(true);
    }
    Some(false)
}

/// A column definition `name type … [PRIMARY KEY] [UNIQUE] [REFERENCES t (c)]`.
fn column_def(part: &[Token], out: &mut Decls) -> Option<()> {
    let mut c = Cursor { toks: part, pos: 0 };
    let name = c.ident()?;
    let mut depth = 0usize;
    let mut constraint = None;
    let mut i = c.pos;
    while i < part.len() {
        match &part[i].tok {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth = depth.saturating_sub(1),
            Tok::Word(w) if depth == 0 => match w.as_str() {
                "constraint" => {
                    constraint = match part.get(i + 1).map(|t| &t.tok) {
                        Some(Tok::Word(n)) | Some(Tok::Quoted(n)) => Some(n.clone()),
                        _ => None,
                    }
                }
                "references" => out.foreign_keys.push(SqlForeignKey {
                    columns: vec![name.clone()],
                    constraint: constraint.take(),
                    span: part[0].span.start..part[part.len() - 1].span.end,
                }),
                "primary" if matches!(part.get(i + 1).map(|t| &t.tok), Some(Tok::Word(k)) if k == "key") => {
                    out.primary.push(Some(name.clone()))
                }
                "unique" => out.keys.push(SqlKey {
                    name: None,
                    columns: vec![Some(name.clone())],
                }),
                _ => {}
            },
            _ => {}
        }
        i += 1;
    }
    Some(())
}

fn create_table(c: &mut Cursor<'_>) -> Option<StatementKind> {
    c.eat_all(&["if", "not", "exists"]);
    let table = c.qualified()?;
    // `CREATE TABLE t AS …`, `… PARTITION OF p`, `… OF type`: not read.
    let parts = c.group()?;
    let mut decls = Decls::default();
    for part in parts {
        if part.is_empty() {
            continue;
        }
        if !table_constraint(part, &mut decls)? {
            column_def(part, &mut decls)?;
        }
    }
    let Decls {
        foreign_keys,
        mut keys,
        primary,
    } = decls;
    if !primary.is_empty() {
        keys.push(SqlKey {
            name: None,
            columns: primary,
        });
    }
    Some(StatementKind::CreateTable {
        table,
        foreign_keys,
        keys,
    })
}

fn alter_table(c: &mut Cursor<'_>) -> Option<StatementKind> {
    c.eat_all(&["if", "exists"]);
    c.eat("only");
    let table = c.qualified()?;
    let mut decls = Decls::default();
    let mut dropped_columns = Vec::new();
    let mut dropped_constraints = Vec::new();
    // Actions are separated by top-level commas.
    let rest = c.rest();
    let mut actions = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in rest.iter().enumerate() {
        match t.tok {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                actions.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    actions.push(&rest[start..]);
    for action in actions {
        let mut a = Cursor {
            toks: action,
            pos: 0,
        };
        if a.eat("add") {
            if a.eat("column")
                || !matches!(a.peek(), Some(Tok::Word(w)) if ["constraint", "primary", "unique", "foreign", "check", "exclude"].contains(&w.as_str()))
            {
                a.eat_all(&["if", "not", "exists"]);
                column_def(a.rest(), &mut decls)?;
            } else {
                table_constraint(a.rest(), &mut decls)?;
            }
        } else if a.eat("drop") {
            if a.eat("constraint") {
                a.eat_all(&["if", "exists"]);
                dropped_constraints.push(a.ident()?);
            } else {
                a.eat("column");
                a.eat_all(&["if", "exists"]);
                dropped_columns.push(a.ident()?);
            }
        }
    }
    let Decls {
        foreign_keys,
        mut keys,
        primary,
    } = decls;
    if !primary.is_empty() {
        keys.push(SqlKey {
            name: None,
            columns: primary,
        });
    }
    Some(StatementKind::AlterTable {
        table,
        foreign_keys,
        keys,
        dropped_columns,
        dropped_constraints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<StatementKind> {
        parse(sql).into_iter().map(|s| s.kind).collect()
    }

    #[test]
    fn create_index_forms() {
        let k = kinds(
            "CREATE INDEX idx_events_org_timestamp ON events(organization_id, timestamp DESC);\n\
             create unique index concurrently if not exists \"Ix\" on public.users using btree (lower(email), id);\n\
             CREATE INDEX ON t ((a + b));",
        );
        assert_eq!(
            k[0],
            StatementKind::CreateIndex {
                name: Some("idx_events_org_timestamp".into()),
                table: "events".into(),
                columns: vec![Some("organization_id".into()), Some("timestamp".into())],
                unique: false,
                concurrently: false,
                only: false,
            }
        );
        assert_eq!(
            k[1],
            StatementKind::CreateIndex {
                name: Some("Ix".into()),
                table: "users".into(),
                columns: vec![None, Some("id".into())],
                unique: true,
                concurrently: true,
                only: false,
            }
        );
        assert!(
            matches!(&k[2], StatementKind::CreateIndex { name: None, columns, .. } if columns == &vec![None])
        );
    }

    #[test]
    fn create_table_references_and_keys() {
        let sql = "CREATE TABLE IF NOT EXISTS users (\n  id bigserial PRIMARY KEY,\n  org_id int NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,\n  team_id int,\n  note text DEFAULT 'a;b',\n  CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES teams (id),\n  UNIQUE (team_id, id)\n);";
        let stmts = parse(sql);
        assert_eq!(
            stmts.len(),
            1,
            "a `;` inside a string does not end the statement"
        );
        let StatementKind::CreateTable {
            table,
            foreign_keys,
            keys,
        } = &stmts[0].kind
        else {
            panic!("{:?}", stmts[0].kind)
        };
        assert_eq!(table, "users");
        let fk: Vec<_> = foreign_keys.iter().map(|f| f.columns.clone()).collect();
        assert_eq!(
            fk,
            vec![vec!["org_id".to_string()], vec!["team_id".to_string()]]
        );
        assert_eq!(foreign_keys[1].constraint.as_deref(), Some("fk_team"));
        assert!(sql[foreign_keys[0].span.clone()].starts_with("org_id int"));
        let leads: Vec<_> = keys.iter().map(|k| k.columns[0].clone()).collect();
        assert_eq!(leads, vec![Some("team_id".into()), Some("id".into())]);
    }

    #[test]
    fn alter_table_and_drops() {
        let k = kinds(
            "ALTER TABLE ONLY orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users(id) NOT VALID;\n\
             ALTER TABLE orders ADD COLUMN coupon_id int REFERENCES coupons, DROP COLUMN old;\n\
             DROP INDEX CONCURRENTLY IF EXISTS a, b; DROP TABLE x;",
        );
        let StatementKind::AlterTable { foreign_keys, .. } = &k[0] else {
            panic!()
        };
        assert_eq!(foreign_keys[0].columns, vec!["user_id".to_string()]);
        let StatementKind::AlterTable {
            foreign_keys,
            dropped_columns,
            ..
        } = &k[1]
        else {
            panic!()
        };
        assert_eq!(foreign_keys[0].columns, vec!["coupon_id".to_string()]);
        assert_eq!(dropped_columns, &vec!["old".to_string()]);
        assert_eq!(
            k[2],
            StatementKind::DropIndex {
                names: vec!["a".into(), "b".into()]
            }
        );
        assert_eq!(
            k[3],
            StatementKind::DropTable {
                tables: vec!["x".into()]
            }
        );
    }

    #[test]
    fn tolerant_of_what_it_does_not_read() {
        let k = kinds(
            "DO $$ BEGIN CREATE INDEX a ON b (c); END $$;\n\
             CREATE TABLE t AS SELECT 1;\n\
             CREATE INDEX broken ON;\n\
             /* CREATE INDEX x ON y (z); */ SELECT 1;",
        );
        assert!(k.iter().all(|k| *k == StatementKind::Other), "{k:?}");
    }
}
