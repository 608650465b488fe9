//! Kubernetes' `field.Error` (k8s.io/apimachinery `pkg/util/validation/field/errors.go`): the text
//! the API server and Kruise's webhook answer with.

use std::fmt;

/// `field.ErrorType` of k8s.io/apimachinery, with its `String()` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// `Required value` (no value printed).
    Required,
    /// `Invalid value`.
    Invalid,
    /// `Duplicate value`.
    Duplicate,
    /// `Not found`.
    NotFound,
    /// `Unsupported value`.
    NotSupported,
    /// `Forbidden` (no value printed).
    Forbidden,
    /// `Too long` (no value printed).
    TooLong,
}

impl ErrorType {
    fn as_str(self) -> &'static str {
        match self {
            ErrorType::Required => "Required value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::NotFound => "Not found",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
        }
    }
}

/// The bad value of a `field.Error`, as Go prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// A Go string, printed `%q`.
    Str(String),
    /// An integer or bool, printed `%v`.
    Plain(String),
    /// Pre-formatted Go `%#v` text (structs).
    GoSyntax(String),
}

/// One `field.Error`: `<path>: <type>[: <value>][: <detail>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Field path, e.g. `spec.containers[0].name`.
    pub path: String,
    /// Type.
    pub kind: ErrorType,
    /// Bad value (ignored for Required, Forbidden, TooLong).
    pub value: Option<BadValue>,
    /// Detail.
    pub detail: String,
    /// Where the field is in the document when [`FieldError::path`] does not say it exactly
    /// (Kruise's `spec.container.podInjectPolicy` is `spec.containers[2].podInjectPolicy`): only the
    /// line of the finding depends on it.
    pub at: Option<String>,
}

impl FieldError {
    /// `field.Required(path, detail)`.
    pub fn required(path: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(path, ErrorType::Required, None, detail)
    }

    /// `field.Forbidden(path, detail)`.
    pub fn forbidden(path: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(path, ErrorType::Forbidden, None, detail)
    }

    /// `field.Invalid(path, "<string>", detail)`.
    pub fn invalid(path: impl Into<String>, value: &str, detail: impl Into<String>) -> Self {
        Self::new(
            path,
            ErrorType::Invalid,
            Some(BadValue::Str(value.to_owned())),
            detail,
        )
    }

    /// `field.Invalid(path, <Go value>, detail)` with the value already in Go `%#v` form.
    pub fn invalid_go(
        path: impl Into<String>,
        go_value: String,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(
            path,
            ErrorType::Invalid,
            Some(BadValue::GoSyntax(go_value)),
            detail,
        )
    }

    /// A `field.Error` of any type.
    pub fn new(
        path: impl Into<String>,
        kind: ErrorType,
        value: Option<BadValue>,
        detail: impl Into<String>,
    ) -> Self {
        FieldError {
            path: path.into(),
            kind,
            value,
            detail: detail.into(),
            at: None,
        }
    }

    /// The same error, found at `path` of the document (see [`FieldError::at`]).
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.at = Some(path.into());
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind.as_str())?;
        if !matches!(
            self.kind,
            ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong
        ) {
            match &self.value {
                None => f.write_str(": \"null\"")?,
                Some(BadValue::Str(s)) => write!(f, ": {}", go_quote(s))?,
                Some(BadValue::Plain(s) | BadValue::GoSyntax(s)) => write!(f, ": {s}")?,
            }
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// Go's `%q` for a string (`strconv.Quote`), close enough for messages: escapes `"`, `\` and
/// control characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
