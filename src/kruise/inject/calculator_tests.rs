//! Ported from Kruise v1.9 `pkg/util/calculator/calculator_test.go` (same vectors, same names),
//! plus Go-behaviour checks of the lexer and error precedence.

use super::*;

fn q(s: &str) -> CalcValue {
    CalcValue::Quantity(Quantity::parse(s).unwrap_or_default())
}

fn run(expr: &str) -> Result<String, CalcError> {
    parse(expr, &BTreeMap::new()).map(|v| v.to_string())
}

fn run_with(expr: &str, vars: &[(&str, CalcValue)]) -> Result<String, CalcError> {
    let vars: BTreeMap<String, CalcValue> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    parse(expr, &vars).map(|v| v.to_string())
}

fn check(cases: &[(&str, Option<&str>)]) {
    for (expr, want) in cases {
        let got = run(expr);
        match want {
            Some(w) => assert_eq!(got.as_deref(), Ok(*w), "{expr}"),
            None => assert!(got.is_err(), "{expr}: expected an error, got {got:?}"),
        }
    }
}

fn err(expr: &str) -> String {
    match run(expr) {
        Err(e) => e.to_string(),
        Ok(v) => format!("no error: {v}"),
    }
}

#[test]
fn parse_number() {
    // TestParseNumber (errors are ignored by the grammar: they read as 0).
    assert_eq!(super::parse_number(b"42"), 42.0);
    assert_eq!(super::parse_number(b"2.75"), 2.75);
    assert_eq!(super::parse_number(b"50%"), 0.5);
    assert_eq!(super::parse_number(b"100.5%"), 1.005);
    assert_eq!(super::parse_number(b"invalid"), 0.0);
    assert_eq!(super::parse_number(b"1e"), 0.0);
    assert_eq!(super::parse_number(b"1e400"), f64::INFINITY);
    assert_eq!(super::parse_number(b"1e400%"), 0.0);
}

#[test]
fn basic_arithmetic() {
    // TestBasicArithmetic
    check(&[
        ("2 + 3", Some("5")),
        ("10 - 4", Some("6")),
        ("3 * 4", Some("12")),
        ("15 / 3", Some("5")),
        ("(2 + 3) * 4", Some("20")),
        ("5..5", None),
        ("5%%", None),
        ("50%", Some("0.5")),
        ("100% * 2", Some("2")),
        ("max(10, 20)", Some("20")),
        ("min(10, 20)", Some("10")),
        ("1e2", Some("100")),
        ("1E2", Some("100")),
        (
            "min(max(max(max(0.5,0.5*0.5),0.5-1.0),0.5-1.0),3.0)",
            Some("0.5"),
        ),
        ("10 / 0", None),
        ("unknown(1, 2)", None),
    ]);
}

#[test]
fn quantity_operations() {
    // TestQuantityOperations
    check(&[
        ("40m + 20m", Some("60m")),
        ("100Mi - 50Mi", Some("50Mi")),
        ("2 * 40m", Some("80m")),
        ("100m / 2", Some("50m")),
        ("100m", Some("100m")),
        ("max(40m, 20)", Some("20")),
        ("min(40m, 20m)", Some("20m")),
        (
            "min(max(max(max(0.5,0.5*0.5),0.5-1.0),0.5-1.0),3.0)",
            Some("0.5"),
        ),
        (
            "min(max(max(max(500m,0.5*0.5),0.5-1.0),0.5-1.0),3.0)",
            Some("500m"),
        ),
        ("40m * 2m", None),
        ("2 / 40m", None),
    ]);
}

#[test]
fn value_string() {
    // TestValueString
    assert_eq!(CalcValue::Number(42.5).to_string(), "42.5");
    assert_eq!(q("100m").to_string(), "100m");
    assert_eq!(go_format_g(1e6), "1e+06");
    assert_eq!(go_format_g(123_456.0), "123456");
    assert_eq!(go_format_g(1_234_567.0), "1.234567e+06");
    assert_eq!(go_format_g(0.0001), "0.0001");
    assert_eq!(go_format_g(0.00001), "1e-05");
    assert_eq!(go_format_g(-2.5), "-2.5");
    assert_eq!(go_format_g(f64::NEG_INFINITY), "-Inf");
}

#[test]
fn error_cases() {
    // TestErrorCases
    assert!(err("10 / 0").contains("division by zero"));
    assert!(err("40m * 2m").contains("multiplication of two quantities"));
    assert!(err("2 / 40m").contains("division by quantity"));
}

#[test]
fn variables() {
    // TestVariables
    let cases: &[(&str, &str, CalcValue, Option<&str>)] = &[
        ("cpu", "cpu", q("100m"), Some("100m")),
        ("cpu * 2", "cpu", q("50m"), Some("100m")),
        ("max(cpu, 200m)", "cpu", q("100m"), Some("200m")),
        (
            "min(max(max(max(0.5,0.5*cpu),cpu-1.0),cpu-1.0),3.0)",
            "cpu",
            q("0.5"),
            Some("500m"),
        ),
        ("max(0.25, cpu)", "cpu", q("100m"), Some("250m")),
        ("max(cpu, 0.75)", "cpu", q("500m"), Some("750m")),
        ("min(0.8, cpu)", "cpu", q("1.0"), Some("800m")),
        ("min(cpu, 1.5)", "cpu", q("2.0"), Some("1500m")),
        (
            "max(min(2*cpu,-cpu+3.0),2*cpu-3.0)",
            "cpu",
            q("1.5"),
            Some("1500m"),
        ),
        (
            "max(min(2*cpu,3.0-cpu),2*cpu-3.0)",
            "cpu",
            q("1.5"),
            Some("1500m"),
        ),
        ("memory + 100Mi", "memory", q("200Mi"), Some("300Mi")),
        (
            "0.5 * memory + max(0, memory-2Gi)",
            "memory",
            q("8Gi"),
            Some("10Gi"),
        ),
    ];
    for (expr, name, value, want) in cases {
        let got = run_with(expr, &[(name, value.clone())]);
        assert_eq!(got.as_deref().ok(), *want, "{expr}: {got:?}");
    }
    assert_eq!(
        run_with("undefined_var", &[]),
        Err(CalcError::Go("undefined variable: undefined_var".into()))
    );
    // Variable names are matched case-insensitively (`strings.ToLower`).
    assert_eq!(run_with("CPU*2", &[("cpu", q("1"))]).as_deref(), Ok("2"));
}

#[test]
fn negative_values() {
    // TestNegativeValues
    for expr in ["-10", "-100m", "10 - 20", "50m - 100m"] {
        assert!(err(expr).contains("negative"), "{expr}");
    }
    assert_eq!(err("-10"), "calculation result is negative: -10");
    assert_eq!(err("50m - 100m"), "calculation result is negative: -50m");
    check(&[("20 - 10", Some("10")), ("10 - 10", Some("0"))]);
}

#[test]
fn proposal_scenarios() {
    // TestProposalScenarios
    assert_eq!(
        run_with("max(cpu * 50%, 50m)", &[("cpu", q("200m"))]).as_deref(),
        Ok("100m")
    );
    let two = [("cpu1", q("200m")), ("cpu2", q("400m"))];
    assert_eq!(run_with("(cpu1 + cpu2) * 50%", &two).as_deref(), Ok("300m"));
    assert_eq!(
        run_with("max(cpu1, cpu2) * 50%", &two).as_deref(),
        Ok("200m")
    );
    assert!(run_with("cpu - 100m", &[("cpu", q("50m"))]).is_err());
}

#[test]
fn edge_cases() {
    // TestEdgeCases
    for expr in ["", "   ", "2 + @", "(2 + 3", "()"] {
        assert!(run(expr).is_err(), "{expr}");
    }
    for expr in [
        "max(min(10, 20), 15)",
        "1e3 + 500",
        "1.5e2 * 2",
        "999999999999999999 + 1",
        "0.000000000000000001 + 0.000000000000000002",
    ] {
        assert!(run(expr).is_ok(), "{expr}");
    }
}

#[test]
fn parser_edge_cases() {
    // TestParserEdgeCases
    check(&[
        ("2+3+4/2", Some("7")),
        ("2   +   3", Some("5")),
        ("2\t+\t3", Some("5")),
        ("2\n+\n3", Some("5")),
        ("  2  \t  +  \n  3  ", Some("5")),
        ("max(  10  ,  20  )", Some("20")),
        ("( 2 + 3 ) * 4", Some("20")),
    ]);
}

#[test]
fn quantity_edge_cases() {
    // TestQuantityEdgeCases
    check(&[
        ("0m + 0m", Some("0")),
        ("1000Gi + 500Gi", Some("1500Gi")),
        ("1.5Gi * 2", Some("3Gi")),
        ("1Gi + 100Mi", Some("1124Mi")),
        ("max(100m, 100m)", Some("100m")),
        ("min(100m, 100m)", Some("100m")),
    ]);
}

#[test]
fn function_argument_errors() {
    // TestFunctionArgumentErrors
    for expr in [
        "max()",
        "max(10)",
        "max(10, 20, 30)",
        "max(10, 20 / 0)",
        "max(10, unknown(20, 30))",
    ] {
        assert!(run(expr).is_err(), "{expr}");
    }
    assert_eq!(
        err("max(10)"),
        "max function requires exactly 2 arguments, got 1"
    );
    assert_eq!(
        err("MIN(10)"),
        "min function requires exactly 2 arguments, got 1"
    );
    assert_eq!(err("foo(1)"), "unknown function: foo");
}

#[test]
fn complex_nested_expressions() {
    // TestComplexNestedExpressions
    check(&[
        ("max(min(max(10, 20), 15), 25)", Some("25")),
        ("(100m + 50m) * 2 - 50m", Some("250m")),
        ("max(100m * 50%, 30m)", Some("50m")),
        ("max(10 + 5, 20 - 5) * 2", Some("30")),
        ("max(100m, min(200m, 150m)) + 50m", Some("200m")),
    ]);
}

#[test]
fn lexer_bug_fixes() {
    // TestLexerBugFixes
    check(&[
        ("10+-5", Some("5")),
        ("10--5", Some("15")),
        ("10 + -5", Some("5")),
        ("10 - -5", Some("15")),
        ("20+-10+5", Some("15")),
        ("100m+50m", Some("150m")),
        ("1e3", Some("1000")),
        ("1E3", Some("1000")),
        ("1e+3", Some("1000")),
        ("1e-3", Some("0.001")),
        ("1E+3", Some("1000")),
        ("1E-3", Some("0.001")),
        ("1.5e2", Some("150")),
        ("2.5E+1", Some("25")),
        ("100m", Some("100m")),
        ("1k", Some("1k")),
        ("100M", Some("100M")),
        ("1G", Some("1G")),
        ("1T", Some("1T")),
        ("1P", Some("1P")),
        ("1Ki", Some("1Ki")),
        ("100Mi", Some("100Mi")),
        ("1Gi", Some("1Gi")),
        ("1Ti", Some("1Ti")),
        ("1Pi", Some("1Pi")),
        ("1e3 + 2e2", Some("1200")),
        ("1e3+-200", Some("800")),
        ("100m + 50m", Some("150m")),
        ("200m * 50%", Some("100m")),
    ]);
}

#[test]
fn scientific_notation_and_lexer_edge_cases() {
    // TestScientificNotationEdgeCases, TestLexerCoverageEdgeCases
    check(&[
        ("1e", Some("0")),
        ("1e+", Some("0")),
        ("1e3e2", None),
        ("max(1e3, 2e2)", Some("1000")),
        ("max(1e3, 100m)", Some("1k")),
        (".5 + .5", Some("1")),
        (".5Mi", Some("512Ki")),
        ("1eKi", None),
        ("1.5+2", Some("3.5")),
    ]);
}

#[test]
fn lexer_internals() {
    // TestLexerInternalFunctions
    assert!(is_letter(b'm') && is_letter(b'K') && !is_letter(b'1') && !is_letter(b'+'));
    assert!(!is_quantity(b"") && !is_quantity(b"123") && !is_quantity(b"123xyz"));
    for unit in [
        "100m", "1k", "1M", "1G", "1T", "1P", "1Ki", "100Mi", "1Gi", "1Ti", "1Pi",
    ] {
        assert!(is_quantity(unit.as_bytes()), "{unit}");
    }
    assert!(!is_quantity(b"50%") && !is_quantity(b"1Ei") && !is_quantity(b"1u"));
    let mut lex = Lexer::new(b"a\nb");
    assert_eq!(lex.next(), b'a');
    assert_eq!((lex.line, lex.col), (1, 2));
    assert_eq!(lex.next(), b'\n');
    assert_eq!((lex.line, lex.col), (2, 1));
    assert_eq!(lex.next(), b'b');
    assert_eq!(lex.next(), 0);
    let mut lex = Lexer::new(b"50%");
    assert_eq!(lex.read_number(), b"50%");
}

#[test]
fn go_quirks_are_kept() {
    // Syntax errors carry goyacc's message and the lexer position after the offending token.
    assert_eq!(err("2 + @"), "parse error: syntax error at line 1, col 6");
    assert_eq!(err("(2 + 3"), "parse error: syntax error at line 1, col 7");
    assert_eq!(err(""), "parse error: syntax error at line 1, col 1");
    assert_eq!(err("cpu*"), "undefined variable: cpu");
    // A semantic error recorded before the syntax error wins (Parse checks lastError first).
    assert_eq!(err("1/0 )"), "division by zero");
    // The last semantic error wins.
    assert_eq!(err("1/0 + x"), "undefined variable: x");
    // Malformed numbers read as 0, as `num, _ := calc.parseNumber($1)` does.
    check(&[("100MB + 1", Some("1")), ("50%m + 1", Some("1"))]);
    // Units outside Kruise's list make a malformed number (0); E starts an exponent.
    check(&[("1u", Some("0")), ("1Ei", None), ("1e3m", None)]);
    // A NUL byte ends the input.
    check(&[("1\u{0}2", Some("1"))]);
    // Quantity parse errors carry apimachinery's message.
    assert!(err("1e3k").contains("quantities must match the regular expression"));
    // Numbers mixed with quantities become milli-quantities (truncated toward zero).
    check(&[("1m + 0.0009", Some("1m")), ("100m * 1.0009", Some("100m"))]);
    // max/min return the operand itself (a parsed quantity keeps its text).
    assert_eq!(
        run_with("max(memory, 1Mi)", &[("memory", q("+1Gi"))]).as_deref(),
        Ok("+1Gi")
    );
}

#[test]
fn unreproducible_cases_are_reported_not_guessed() {
    let r = run_with("(cpu - 1) * 2 + 3", &[("cpu", q("100u"))]);
    assert!(matches!(r, Err(CalcError::Unreproducible(_))), "{r:?}");
    let r = run("1e400 * 1m");
    assert!(matches!(r, Err(CalcError::Unreproducible(_))), "{r:?}");
}
