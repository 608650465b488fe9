//! A small backtracking matcher for the Go (RE2) regular expressions found in Kruise's
//! patch-metadata whitelist (`regexp.MatchString`, unanchored): literals, `.`, classes (`[a-z]`,
//! `[^/]`, `\d`, `\w`, `\s`), groups `(…)` / `(?:…)`, `|`, `* + ? {n} {n,} {n,m}` (greedy or lazy:
//! only match/no-match matters) and `^ $`. Anything else is reported as unsupported.

/// A regexp this matcher cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("error parsing regexp {pattern:?}: {reason}")]
pub struct RegexError {
    /// The pattern.
    pub pattern: String,
    /// What is wrong or unsupported.
    pub reason: String,
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, Option<usize>),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    alternatives: Vec<Vec<Node>>,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    pattern: &'a str,
}

impl Parser<'_> {
    fn err(&self, reason: impl Into<String>) -> RegexError {
        RegexError {
            pattern: self.pattern.to_owned(),
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, RegexError> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, RegexError> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.pos += 1;
            let atom = match c {
                '.' => Node::Any,
                '^' => Node::Start,
                '$' => Node::End,
                '(' => {
                    if self.peek() == Some('?') {
                        if self.chars.get(self.pos + 1) == Some(&':') {
                            self.pos += 2;
                        } else {
                            return Err(self.err("unsupported group flags or names"));
                        }
                    }
                    let alts = self.alternatives()?;
                    if self.peek() != Some(')') {
                        return Err(self.err("missing closing )"));
                    }
                    self.pos += 1;
                    Node::Group(alts)
                }
                '[' => self.class()?,
                '\\' => self.escape(false)?,
                '*' | '+' | '?' | '{' => {
                    return Err(self.err("missing argument to repetition operator"));
                }
                c => Node::Char(c),
            };
            let atom = self.repetition(atom)?;
            seq.push(atom);
        }
        Ok(seq)
    }

    fn repetition(&mut self, mut atom: Node) -> Result<Node, RegexError> {
        loop {
            let (min, max) = match self.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => {
                    let close = self.chars[self.pos..]
                        .iter()
                        .position(|&c| c == '}')
                        .ok_or_else(|| self.err("missing closing }"))?;
                    let body: String = self.chars[self.pos + 1..self.pos + close].iter().collect();
                    let parse = |s: &str| {
                        s.parse::<usize>()
                            .map_err(|_| self.err("invalid repeat count"))
                    };
                    let (min, max) = match body.split_once(',') {
                        None => {
                            let n = parse(&body)?;
                            (n, Some(n))
                        }
                        Some((a, "")) => (parse(a)?, None),
                        Some((a, b)) => (parse(a)?, Some(parse(b)?)),
                    };
                    self.pos += close;
                    (min, max)
                }
                _ => return Ok(atom),
            };
            self.pos += 1;
            if self.peek() == Some('?') {
                self.pos += 1; // lazy: same match/no-match
            }
            atom = Node::Repeat(Box::new(atom), min, max);
        }
    }

    fn escape(&mut self, in_class: bool) -> Result<Node, RegexError> {
        let c = self
            .peek()
            .ok_or_else(|| self.err("trailing backslash at end of expression"))?;
        self.pos += 1;
        let digits = vec![('0', '9')];
        let word = vec![('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')];
        let space = vec![('\t', '\n'), ('\x0c', '\r'), (' ', ' ')];
        Ok(match c {
            'd' => Node::Class(digits, false),
            'D' => Node::Class(digits, true),
            'w' => Node::Class(word, false),
            'W' => Node::Class(word, true),
            's' => Node::Class(space, false),
            'S' => Node::Class(space, true),
            'n' => Node::Char('\n'),
            't' => Node::Char('\t'),
            c if c.is_ascii_punctuation() => Node::Char(c),
            _ if in_class => return Err(self.err(format!("invalid escape sequence \\{c}"))),
            _ => return Err(self.err(format!("invalid or unsupported escape sequence \\{c}"))),
        })
    }

    fn class(&mut self) -> Result<Node, RegexError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or_else(|| self.err("missing closing ]"))?;
            self.pos += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                match self.escape(true)? {
                    Node::Char(c) => c,
                    Node::Class(r, false) => {
                        ranges.extend(r);
                        continue;
                    }
                    _ => return Err(self.err("unsupported negated class inside a class")),
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&c| c != ']') {
                self.pos += 1;
                let mut hi = self.peek().ok_or_else(|| self.err("missing closing ]"))?;
                self.pos += 1;
                if hi == '\\' {
                    match self.escape(true)? {
                        Node::Char(c) => hi = c,
                        _ => return Err(self.err("invalid character class range")),
                    }
                }
                if hi < lo {
                    return Err(self.err(format!("invalid character class range: {lo}-{hi}")));
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Node::Class(ranges, negated))
    }
}

impl Regex {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Result<Regex, RegexError> {
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
            pattern,
        };
        let alternatives = parser.alternatives()?;
        if parser.pos != parser.chars.len() {
            return Err(parser.err("unexpected )"));
        }
        Ok(Regex { alternatives })
    }

    /// Go's `MatchString`: does the pattern match anywhere in `text`?
    pub fn is_match(&self, text: &str) -> bool {
        let input: Vec<char> = text.chars().collect();
        let group = [Node::Group(self.alternatives.clone())];
        (0..=input.len()).any(|start| matches(&group, &input, start, &mut |_| true))
    }
}

fn single(node: &Node, input: &[char], pos: usize) -> bool {
    let Some(&c) = input.get(pos) else {
        return false;
    };
    match node {
        Node::Char(x) => *x == c,
        Node::Any => c != '\n',
        Node::Class(ranges, negated) => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        _ => false,
    }
}

fn matches(nodes: &[Node], input: &[char], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((node, rest)) = nodes.split_first() else {
        return k(pos);
    };
    match node {
        Node::Start => pos == 0 && matches(rest, input, pos, k),
        Node::End => pos == input.len() && matches(rest, input, pos, k),
        Node::Group(alts) => alts
            .iter()
            .any(|seq| matches(seq, input, pos, &mut |p| matches(rest, input, p, k))),
        Node::Repeat(inner, min, max) => repeat(inner, *min, *max, rest, input, pos, k),
        _ => single(node, input, pos) && matches(rest, input, pos + 1, k),
    }
}

fn repeat(
    inner: &Node,
    min: usize,
    max: Option<usize>,
    rest: &[Node],
    input: &[char],
    pos: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if max != Some(0) {
        let one = std::slice::from_ref(inner);
        let more = matches(one, input, pos, &mut |p| {
            // An empty iteration past the minimum cannot help.
            (p != pos || min > 0)
                && repeat(
                    inner,
                    min.saturating_sub(1),
                    max.map(|m| m - 1),
                    rest,
                    input,
                    p,
                    k,
                )
        });
        if more {
            return true;
        }
    }
    min == 0 && matches(rest, input, pos, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Regex::new(p).expect("valid").is_match(s)
    }

    #[test]
    fn go_match_string_semantics() {
        assert!(m("key.*", "mykey1"));
        assert!(m("^key.*", "key1"));
        assert!(!m("^key.*", "mykey1"));
        assert!(m("^oom-score$", "oom-score"));
        assert!(!m("^oom-score$", "oom-score2"));
        assert!(m("^(a|b)[0-9]{2,3}$", "b123"));
        assert!(!m("^(a|b)[0-9]{2,3}$", "b1"));
        assert!(m("^apps\\.kruise\\.io/[^/]+$", "apps.kruise.io/x"));
        assert!(!m("^apps\\.kruise\\.io/[^/]+$", "appsXkruise.io/x"));
        assert!(m("(?:x)*y?$", ""));
        assert!(m("\\w+-\\d", "a_b-1"));
        assert!(Regex::new("(?i)x").is_err());
        assert!(Regex::new("[a-").is_err());
        assert!(Regex::new("a)").is_err());
    }
}
