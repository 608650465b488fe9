//! Kruise's resource expression calculator (`pkg/util/calculator`, v1.9): `lexer.go`, the goyacc
//! grammar `calculator.y` and `calculator.go: Parse`, ported by hand.
//!
//! The grammar (precedence low to high: `+ -`, `* /`, unary `-`; all binary operators
//! left-associative) is parsed by recursive descent that evaluates each rule where goyacc reduces
//! it, so that the same semantic errors are recorded before a syntax error is detected, and Go's
//! error precedence holds: a semantic error (the last one recorded) wins over the syntax error.
//!
//! Values are float64 numbers or `resource.Quantity`s, with Go's mixing rules (`calculator.y`:
//! `toQuantity`, `add`, `sub`, `mul`, `div`, `maxFunc`, `minFunc`). Two things depend on Go
//! internals this port does not model; they are reported as [`CalcError::Unreproducible`] instead
//! of guessed: `MilliValue` of a negative quantity finer than a thousandth (Go rounds it
//! differently in its two internal representations) or beyond int64, and float64 → int64
//! conversions of NaN or out-of-range values (the result differs between amd64 and arm64).
//!
//! The lexer works on bytes as Go's does (`rune(x.input[x.pos])`): a byte ≥ 0x80 is classified as
//! the Latin-1 character of that value.

use std::collections::BTreeMap;

use kruise_inject_kube::quantity::{Format, Quantity};

/// A calculator value (`calculator.Value`).
#[derive(Debug, Clone, PartialEq)]
pub enum CalcValue {
    /// A plain float64 (`IsQuantity: false`).
    Number(f64),
    /// A Kubernetes quantity.
    Quantity(Quantity),
}

impl std::fmt::Display for CalcValue {
    /// `Value.String()`: the quantity, or the number as `%g`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CalcValue::Number(n) => f.write_str(&go_format_g(*n)),
            CalcValue::Quantity(q) => write!(f, "{q}"),
        }
    }
}

/// Why an expression has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalcError {
    /// Kruise's calculator fails with this message.
    #[error("{0}")]
    Go(String),
    /// The result depends on Go internals kruise-inject does not reproduce.
    #[error("kruise-inject cannot reproduce Kruise's result exactly: {0}")]
    Unreproducible(String),
}

/// `Calculator.Parse(input)` with `variables` (keys lowercase): the value, or Go's error.
pub fn parse(input: &str, variables: &BTreeMap<String, CalcValue>) -> Result<CalcValue, CalcError> {
    let mut p = Parser {
        lex: Lexer::new(input.as_bytes()),
        peeked: None,
        vars: variables,
        last_error: None,
        unreproducible: None,
    };
    let outcome = p.input();
    if let Some(why) = p.unreproducible {
        return Err(CalcError::Unreproducible(why));
    }
    let result = match outcome {
        Err(syntax) => return Err(CalcError::Go(p.last_error.unwrap_or(syntax))),
        Ok(None) => {
            return Err(CalcError::Go(
                p.last_error
                    .unwrap_or_else(|| "no result from parser".to_owned()),
            ));
        }
        Ok(Some(v)) => v,
    };
    match &result {
        CalcValue::Quantity(q) if q.sign() < 0 => Err(CalcError::Go(format!(
            "calculation result is negative: {q}"
        ))),
        CalcValue::Number(n) if *n < 0.0 => Err(CalcError::Go(format!(
            "calculation result is negative: {}",
            go_format_g(*n)
        ))),
        _ => Ok(result),
    }
}

// ---- lexer.go

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Eof,
    /// `+ - * / ( ) ,` or any other single byte.
    Char(u8),
    Number(&'a [u8]),
    Quantity(&'a [u8]),
    Ident(&'a [u8]),
}

/// `unicode.IsLetter(rune(b))`.
fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
        || matches!(b, 0xAA | 0xB5 | 0xBA)
        || (b >= 0xC0 && b != 0xD7 && b != 0xF7)
}

/// `unicode.IsSpace(rune(b))`.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' | 0x85 | 0xA0)
}

/// `yyLex`: position, line and column as Go counts them (bytes).
struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
    line: usize,
    col: usize,
}

impl<'a> Lexer<'a> {
    fn new(input: &'a [u8]) -> Self {
        Lexer {
            input,
            pos: 0,
            line: 1,
            col: 1,
        }
    }

    /// `peek`: the next byte, 0 at the end.
    fn peek(&self) -> u8 {
        self.input.get(self.pos).copied().unwrap_or(0)
    }

    /// `next`: consumes a byte (a NUL byte is consumed and reads as the end).
    fn next(&mut self) -> u8 {
        let Some(&b) = self.input.get(self.pos) else {
            return 0;
        };
        self.pos += 1;
        if b == b'\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        b
    }

    /// `readNumber`: digits, one `.`, one exponent (`e`/`E`, then an optional sign), one `%`,
    /// then a run of letters as the unit.
    fn read_number(&mut self) -> &'a [u8] {
        let start = self.pos;
        let (mut seen_dot, mut seen_e, mut seen_percent, mut expect_exp_digit) =
            (false, false, false, false);
        loop {
            let r = self.peek();
            if r == 0 {
                break;
            }
            if r.is_ascii_digit() {
                expect_exp_digit = false;
                self.next();
                continue;
            }
            if r == b'.' {
                if seen_dot || seen_e || seen_percent {
                    break;
                }
                seen_dot = true;
                self.next();
                continue;
            }
            if r == b'e' || r == b'E' {
                if seen_e || seen_percent {
                    break;
                }
                seen_e = true;
                expect_exp_digit = true;
                self.next();
                continue;
            }
            if r == b'+' || r == b'-' {
                if !expect_exp_digit {
                    break;
                }
                expect_exp_digit = false;
                self.next();
                continue;
            }
            if r == b'%' {
                if seen_percent {
                    break;
                }
                seen_percent = true;
                self.next();
                continue;
            }
            if is_letter(r) && !expect_exp_digit {
                while is_letter(self.peek()) {
                    self.next();
                }
            }
            break;
        }
        &self.input[start..self.pos]
    }

    /// `Lex`.
    fn lex(&mut self) -> Tok<'a> {
        while self.peek() != 0 && is_space(self.peek()) {
            self.next();
        }
        let r = self.next();
        match r {
            0 => Tok::Eof,
            b'+' | b'-' | b'*' | b'/' | b'(' | b')' | b',' => Tok::Char(r),
            _ if r == b'.' || r.is_ascii_digit() => {
                self.pos -= 1;
                self.col -= 1;
                let num = self.read_number();
                if is_quantity(num) {
                    Tok::Quantity(num)
                } else {
                    Tok::Number(num)
                }
            }
            _ if is_letter(r) => {
                self.pos -= 1;
                self.col -= 1;
                let start = self.pos;
                while {
                    let b = self.peek();
                    b != 0 && (is_letter(b) || b.is_ascii_digit() || b == b'_')
                } {
                    self.next();
                }
                Tok::Ident(&self.input[start..self.pos])
            }
            _ => Tok::Char(r),
        }
    }
}

/// `isQuantity`: a numeric part (`0-9 . e E + -`) followed by exactly one of Kruise's units.
fn is_quantity(s: &[u8]) -> bool {
    let num_end = s
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')))
        .unwrap_or(0);
    if num_end == 0 {
        return false;
    }
    matches!(
        &s[num_end..],
        b"m" | b"k" | b"M" | b"G" | b"T" | b"P" | b"Ki" | b"Mi" | b"Gi" | b"Ti" | b"Pi"
    )
}

/// `strconv.ParseFloat(s, 64)` as `parseNumber` uses it, errors ignored (`num, _ :=`): a syntax
/// error gives 0, an overflow ±Inf; with a `%` suffix any error gives 0.
fn parse_number(s: &[u8]) -> f64 {
    let text = std::str::from_utf8(s).unwrap_or("");
    let float = |t: &str| -> Result<f64, ()> {
        let v: f64 = t.parse().map_err(|_| ())?;
        // Go reports ErrRange (with ±Inf) when a finite literal overflows.
        if v.is_infinite() { Err(()) } else { Ok(v) }
    };
    if let Some(num) = text.strip_suffix('%') {
        return float(num).map_or(0.0, |v| v / 100.0);
    }
    match float(text) {
        Ok(v) => v,
        Err(()) => text.parse::<f64>().unwrap_or(0.0),
    }
}

// ---- calculator.y

struct Parser<'a, 'v> {
    lex: Lexer<'a>,
    peeked: Option<Tok<'a>>,
    vars: &'v BTreeMap<String, CalcValue>,
    /// `Calculator.lastError` (overwritten by every later semantic error).
    last_error: Option<String>,
    /// The first thing Go computes in a way this port does not model.
    unreproducible: Option<String>,
}

/// A semantic value: `None` is Go's `nil` after an error.
type Sem = Option<CalcValue>;

impl<'a> Parser<'a, '_> {
    fn peek(&mut self) -> Tok<'a> {
        if let Some(t) = self.peeked {
            return t;
        }
        let t = self.lex.lex();
        self.peeked = Some(t);
        t
    }

    fn bump(&mut self) {
        if self.peeked.take().is_none() {
            self.lex.lex();
        }
    }

    /// goyacc's `syntax error`, reported by `yyLex.Error` with the lexer's position.
    fn syntax_error(&self) -> String {
        format!(
            "parse error: syntax error at line {}, col {}",
            self.lex.line, self.lex.col
        )
    }

    fn fail(&mut self, message: String) -> Sem {
        self.last_error = Some(message);
        None
    }

    /// A grammar action's fallback message when the operation gave `nil` without an error.
    fn or_fail(&mut self, v: Sem, message: &str) -> Sem {
        if v.is_none() && self.last_error.is_none() {
            self.last_error = Some(message.to_owned());
        }
        v
    }

    /// `input: expr`, then the end of the input.
    fn input(&mut self) -> Result<Sem, String> {
        let v = self.expr()?;
        match self.peek() {
            Tok::Eof => Ok(v),
            _ => Err(self.syntax_error()),
        }
    }

    /// `expr: expr '+' expr | expr '-' expr | term` (left-associative).
    fn expr(&mut self) -> Result<Sem, String> {
        let mut left = self.term()?;
        loop {
            match self.peek() {
                Tok::Char(op @ (b'+' | b'-')) => {
                    self.bump();
                    let right = self.term()?;
                    left = if op == b'+' {
                        let v = self.binary(left, right, Op::Add);
                        self.or_fail(v, "invalid addition operation")
                    } else {
                        let v = self.binary(left, right, Op::Sub);
                        self.or_fail(v, "invalid subtraction operation")
                    };
                }
                _ => return Ok(left),
            }
        }
    }

    /// `term: term '*' term | term '/' term | factor` (left-associative).
    fn term(&mut self) -> Result<Sem, String> {
        let mut left = self.factor()?;
        loop {
            match self.peek() {
                Tok::Char(op @ (b'*' | b'/')) => {
                    self.bump();
                    let right = self.factor()?;
                    left = if op == b'*' {
                        let v = self.binary(left, right, Op::Mul);
                        self.or_fail(v, "invalid multiplication operation")
                    } else {
                        let v = self.binary(left, right, Op::Div);
                        self.or_fail(v, "invalid division operation")
                    };
                }
                _ => return Ok(left),
            }
        }
    }

    /// `factor: NUMBER | QUANTITY | IDENT | '(' expr ')' | func_call | '-' factor`.
    fn factor(&mut self) -> Result<Sem, String> {
        let tok = self.peek();
        match tok {
            Tok::Number(s) => {
                self.bump();
                Ok(Some(CalcValue::Number(parse_number(s))))
            }
            Tok::Quantity(s) => {
                self.bump();
                match Quantity::parse(std::str::from_utf8(s).unwrap_or("")) {
                    Ok(q) => Ok(Some(CalcValue::Quantity(q))),
                    Err(e) => Ok(self.fail(e.to_string())),
                }
            }
            Tok::Ident(name) => {
                self.bump();
                if self.peek() == Tok::Char(b'(') {
                    self.bump();
                    return self.func_call(name);
                }
                let var = String::from_utf8_lossy(name).to_lowercase();
                match self.vars.get(&var) {
                    Some(v) => Ok(Some(v.clone())),
                    None => Ok(self.fail(format!("undefined variable: {var}"))),
                }
            }
            Tok::Char(b'(') => {
                self.bump();
                let v = self.expr()?;
                if self.peek() != Tok::Char(b')') {
                    return Err(self.syntax_error());
                }
                self.bump();
                Ok(v)
            }
            Tok::Char(b'-') => {
                self.bump();
                Ok(match self.factor()? {
                    None => None,
                    Some(CalcValue::Quantity(mut q)) => {
                        q.neg();
                        Some(CalcValue::Quantity(q))
                    }
                    Some(CalcValue::Number(n)) => Some(CalcValue::Number(-n)),
                })
            }
            _ => Err(self.syntax_error()),
        }
    }

    /// `func_call: IDENT '(' expr ')' | IDENT '(' expr ',' expr ')'`, after the `(`.
    fn func_call(&mut self, name: &[u8]) -> Result<Sem, String> {
        let mut args = vec![self.expr()?];
        if self.peek() == Tok::Char(b',') {
            self.bump();
            args.push(self.expr()?);
        }
        if self.peek() != Tok::Char(b')') {
            return Err(self.syntax_error());
        }
        self.bump();
        let v = self.call(name, args);
        Ok(self.or_fail(v, "function call failed"))
    }

    /// `callFunc`, `maxFunc`, `minFunc`.
    fn call(&mut self, name: &[u8], args: Vec<Sem>) -> Sem {
        let is_max = match String::from_utf8_lossy(name).to_lowercase().as_str() {
            "max" => true,
            "min" => false,
            _ => {
                let name = String::from_utf8_lossy(name).into_owned();
                return self.fail(format!("unknown function: {name}"));
            }
        };
        let fname = if is_max { "max" } else { "min" };
        if args.len() != 2 {
            return self.fail(format!(
                "{fname} function requires exactly 2 arguments, got {}",
                args.len()
            ));
        }
        let mut args = args.into_iter();
        let (Some(Some(left)), Some(Some(right))) = (args.next(), args.next()) else {
            return None;
        };
        // max keeps the left value on ties (`cmp >= 0`), min too (`cmp <= 0`).
        let keep_left = |ord: std::cmp::Ordering| if is_max { ord.is_ge() } else { ord.is_le() };
        match (left, right) {
            (CalcValue::Number(l), CalcValue::Number(r)) => {
                let keep = if is_max { l >= r } else { l <= r };
                Some(CalcValue::Number(if keep { l } else { r }))
            }
            (l, r) => {
                let lq = self.quantity_of(&l)?;
                let rq = self.quantity_of(&r)?;
                Some(CalcValue::Quantity(if keep_left(lq.cmp_value(&rq)) {
                    lq
                } else {
                    rq
                }))
            }
        }
    }

    /// `toQuantity`: a quantity as is, a number as `NewMilliQuantity(int64(n*1000), DecimalSI)`.
    fn quantity_of(&mut self, v: &CalcValue) -> Option<Quantity> {
        match v {
            CalcValue::Quantity(q) => Some(q.clone()),
            CalcValue::Number(n) => {
                let milli = self.go_int64(n * 1000.0)?;
                Some(Quantity::new_milli(milli, Format::DecimalSI))
            }
        }
    }

    /// Go's `int64(f)`; `None` (and unreproducible) where amd64 and arm64 differ.
    fn go_int64(&mut self, f: f64) -> Option<i64> {
        // 2^63 is exactly representable; -2^63 converts exactly.
        if f.is_nan() || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
            self.unreproducible.get_or_insert_with(|| {
                format!(
                    "converting {} to an int64 (Go's result differs between CPU architectures)",
                    go_format_g(f)
                )
            });
            return None;
        }
        Some(f as i64)
    }

    /// `Quantity.MilliValue()`, where Go's result does not depend on its internal representation.
    fn milli_value(&mut self, q: &Quantity) -> Option<i64> {
        if q.sign() < 0 && !q.is_milli_exact() {
            self.unreproducible.get_or_insert_with(|| {
                format!("rounding the negative quantity {q} to thousandths")
            });
            return None;
        }
        let v = q.milli_value();
        if v.is_none() {
            self.unreproducible.get_or_insert_with(|| {
                format!("the quantity {q} overflows an int64 of thousandths")
            });
        }
        v
    }

    /// `add`, `sub`, `mul`, `div`.
    fn binary(&mut self, left: Sem, right: Sem, op: Op) -> Sem {
        let (Some(left), Some(right)) = (left, right) else {
            return None;
        };
        match (op, left, right) {
            (Op::Add, CalcValue::Number(l), CalcValue::Number(r)) => Some(CalcValue::Number(l + r)),
            (Op::Sub, CalcValue::Number(l), CalcValue::Number(r)) => Some(CalcValue::Number(l - r)),
            (Op::Add | Op::Sub, l, r) => {
                let mut result = self.quantity_of(&l)?;
                let mut right = self.quantity_of(&r)?;
                if op == Op::Sub {
                    right.neg();
                }
                result.add(&right);
                Some(CalcValue::Quantity(result))
            }
            (Op::Mul, CalcValue::Quantity(_), CalcValue::Quantity(_)) => {
                self.fail("multiplication of two quantities".to_owned())
            }
            (Op::Mul, CalcValue::Quantity(q), CalcValue::Number(n))
            | (Op::Mul, CalcValue::Number(n), CalcValue::Quantity(q)) => {
                let milli = self.milli_value(&q)?;
                let scaled = self.go_int64(milli as f64 * n)?;
                let mut result = q;
                result.set_milli(scaled);
                Some(CalcValue::Quantity(result))
            }
            (Op::Mul, CalcValue::Number(l), CalcValue::Number(r)) => Some(CalcValue::Number(l * r)),
            (Op::Div, _, CalcValue::Quantity(_)) => self.fail("division by quantity".to_owned()),
            (Op::Div, left, CalcValue::Number(r)) => {
                if r == 0.0 {
                    return self.fail("division by zero".to_owned());
                }
                match left {
                    CalcValue::Quantity(q) => {
                        let milli = self.milli_value(&q)?;
                        let scaled = self.go_int64(milli as f64 / r)?;
                        let mut result = q;
                        result.set_milli(scaled);
                        Some(CalcValue::Quantity(result))
                    }
                    CalcValue::Number(l) => Some(CalcValue::Number(l / r)),
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// `fmt.Sprintf("%g", f)`: the shortest representation, in `%e` form (`1e+06`) when the decimal
/// exponent is < -4 or ≥ 6 (strconv `formatDigits`, shortest: `eprec = 6`).
pub fn go_format_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits as Go.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        exp_form(sign, &digits, exp)
    } else {
        decimal_form(sign, &digits, exp)
    }
}

fn exp_form(sign: &str, digits: &str, exp: i32) -> String {
    let (first, rest) = digits.split_at(1);
    let mut out = format!("{sign}{first}");
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    let (esign, eabs) = if exp < 0 { ('-', -exp) } else { ('+', exp) };
    out.push_str(&format!("e{esign}{eabs:02}"));
    out
}

fn decimal_form(sign: &str, digits: &str, exp: i32) -> String {
    let n = digits.len() as i32;
    let point = exp + 1; // digits before the decimal point
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-point) as usize));
        out.push_str(digits);
    } else if point >= n {
        out.push_str(digits);
        out.push_str(&"0".repeat((point - n) as usize));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

#[cfg(test)]
#[path = "calculator_tests.rs"]
mod tests;
