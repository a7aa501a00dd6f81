//! The validation report for a batch-call file: which rows can be called and what is wrong with
//! the others.
//!
//! This module owns the per-row rules: number normalisation (through the caller's function),
//! the do-not-call list, duplicates, the variables a row provides (its columns plus its
//! `dynamicVariables` JSON) and the variables the agent requires. It reads no files and
//! knows no phone-number syntax itself.
//!
//! Decisions worth knowing:
//! - Cells are trimmed; a blank cell means "not given".
//! - `dynamicVariables` must be a JSON object. Strings are taken as is, numbers and booleans as
//!   their JSON text, `null` and blank strings mean "not given". When a column and the JSON
//!   both give a name, the JSON wins (it is the more specific, per-row source).
//! - A row is a duplicate when an earlier row had the same number after normalisation and that
//!   earlier row's number was valid, even if the earlier row is bad for another reason: the first
//!   row with a number owns it, so fixing that row never silently makes a later one a duplicate.
//! - When the JSON cannot be parsed at all, missing variables are not reported for that row:
//!   the names are probably in the broken JSON and the list would mislead.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

// `super::` rather than `crate::` so the module works unchanged inside the server's `batch/`.
use super::file::Sheet;

/// What `validate` checks rows against.
pub struct Rules<'a, N: Fn(&str) -> Result<String, String>> {
    /// Raw number (trimmed) → E.164, or a human reason such as "not a valid number".
    pub normalize: N,
    /// Variable names the agent's prompt or first message need.
    pub required: &'a [String],
    /// E.164 numbers that must not be called.
    pub do_not_call: &'a HashSet<String>,
}

/// The outcome for a whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub good: Vec<GoodRow>,
    pub bad: Vec<BadRow>,
    /// Number of data rows judged (`good.len() + bad.len()`).
    pub total: usize,
}

/// A row that can be called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodRow {
    pub row: usize,
    /// E.164.
    pub number: String,
    pub variables: BTreeMap<String, String>,
}

/// A row that cannot be called, with every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub row: usize,
    /// The number as typed.
    pub number: String,
    pub problems: Vec<Problem>,
}

/// One reason a row cannot be called. `Display` is the user-facing text, `code()` the stable
/// machine name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    InvalidNumber(String),
    Duplicate { of_row: usize },
    MissingVariables(Vec<String>),
    BadJson(String),
    DoNotCall,
}

impl Problem {
    /// Stable identifier for APIs and exports.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::InvalidNumber(_) => "invalid_number",
            Problem::Duplicate { .. } => "duplicate",
            Problem::MissingVariables(_) => "missing_variables",
            Problem::BadJson(_) => "bad_json",
            Problem::DoNotCall => "do_not_call",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::InvalidNumber(reason) => write!(f, "invalid number: {reason}"),
            Problem::Duplicate { of_row } => write!(f, "duplicate of row {of_row}"),
            Problem::MissingVariables(names) => {
                write!(f, "missing variable(s): {}", names.join(", "))
            }
            Problem::BadJson(reason) => write!(f, "bad dynamicVariables JSON: {reason}"),
            Problem::DoNotCall => write!(f, "on the do-not-call list"),
        }
    }
}

/// Judges every row of `sheet`; rows keep their file order within `good` and `bad`.
pub fn validate<N: Fn(&str) -> Result<String, String>>(sheet: &Sheet, rules: &Rules<'_, N>) -> Report {
    let required: BTreeSet<&str> = rules.required.iter().map(String::as_str).collect();
    let mut first_row_of: HashMap<String, usize> = HashMap::with_capacity(sheet.rows.len());
    let mut good = Vec::new();
    let mut bad = Vec::new();

    for raw in &sheet.rows {
        let mut problems = Vec::new();

        let typed = raw.number.trim();
        let e164 = if typed.is_empty() {
            problems.push(Problem::InvalidNumber("the number is empty".to_string()));
            None
        } else {
            match (rules.normalize)(typed) {
                Ok(e164) => Some(e164),
                Err(reason) => {
                    problems.push(Problem::InvalidNumber(reason));
                    None
                }
            }
        };
        if let Some(e164) = &e164 {
            match first_row_of.get(e164) {
                Some(&of_row) => problems.push(Problem::Duplicate { of_row }),
                None => {
                    first_row_of.insert(e164.clone(), raw.row);
                }
            }
            if rules.do_not_call.contains(e164) {
                problems.push(Problem::DoNotCall);
            }
        }

        let mut variables: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &raw.columns {
            let value = value.trim();
            if !value.is_empty() {
                variables.insert(name.clone(), value.to_string());
            }
        }
        let mut json_readable = true;
        if let Some(json) = &raw.dynamic_variables {
            match merge_json(json, &mut variables) {
                Ok(()) => {}
                Err(JsonTrouble::Unreadable(reason)) => {
                    json_readable = false;
                    problems.push(Problem::BadJson(reason));
                }
                Err(JsonTrouble::BadValues(reason)) => problems.push(Problem::BadJson(reason)),
            }
        }

        if json_readable {
            let missing: Vec<String> = required.iter().filter(|name| !variables.contains_key(**name)).map(|name| name.to_string()).collect();
            if !missing.is_empty() {
                problems.push(Problem::MissingVariables(missing));
            }
        }

        match e164 {
            Some(number) if problems.is_empty() => good.push(GoodRow { row: raw.row, number, variables }),
            _ => bad.push(BadRow { row: raw.row, number: raw.number.clone(), problems }),
        }
    }

    Report { good, bad, total: sheet.rows.len() }
}

enum JsonTrouble {
    /// Not JSON or not an object: nothing in it can be used.
    Unreadable(String),
    /// An object, but some values are nested; the other values were still used.
    BadValues(String),
}

/// Lays the JSON object's values over `variables` (JSON wins; null/blank means not given).
fn merge_json(json: &str, variables: &mut BTreeMap<String, String>) -> Result<(), JsonTrouble> {
    let value: serde_json::Value = serde_json::from_str(json.trim()).map_err(|e| JsonTrouble::Unreadable(e.to_string()))?;
    let serde_json::Value::Object(object) = value else {
        return Err(JsonTrouble::Unreadable("it must be a JSON object, like {\"first_name\": \"Ana\"}".to_string()));
    };
    let mut nested = Vec::new();
    for (name, value) in object {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) if s.trim().is_empty() => continue,
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                nested.push(name);
                continue;
            }
        };
        variables.insert(name, text);
    }
    if nested.is_empty() {
        Ok(())
    } else {
        // Sorted so the message does not depend on serde_json's map ordering feature.
        nested.sort();
        Err(JsonTrouble::BadValues(format!("values must be text, numbers or booleans (not in {})", nested.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::super::file::{read_sheet, RawRow};
    use super::*;

    /// Stand-in for the real normaliser: US 10-digit numbers get +1, "+" numbers pass.
    fn normalize(raw: &str) -> Result<String, String> {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        if raw.starts_with('+') && (8..=15).contains(&digits.len()) {
            Ok(format!("+{digits}"))
        } else if digits.len() == 10 {
            Ok(format!("+1{digits}"))
        } else {
            Err("not a valid number".to_string())
        }
    }

    fn row(row: usize, number: &str, columns: &[(&str, &str)], json: Option<&str>) -> RawRow {
        RawRow {
            row,
            number: number.to_string(),
            dynamic_variables: json.map(str::to_string),
            columns: columns.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    fn sheet(rows: Vec<RawRow>) -> Sheet {
        Sheet { headers: Vec::new(), rows, warnings: Vec::new() }
    }

    fn run(rows: Vec<RawRow>, required: &[&str], dnc: &[&str]) -> Report {
        let required: Vec<String> = required.iter().map(|s| s.to_string()).collect();
        let dnc: HashSet<String> = dnc.iter().map(|s| s.to_string()).collect();
        let rules = Rules { normalize, required: &required, do_not_call: &dnc };
        validate(&sheet(rows), &rules)
    }

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn good_rows_get_e164_and_trimmed_variables() {
        let report = run(vec![row(2, " (415) 555-0123 ", &[("first_name", " Ana "), ("city", "")], None)], &["first_name"], &[]);
        assert_eq!(report.total, 1);
        assert!(report.bad.is_empty());
        assert_eq!(report.good, [GoodRow { row: 2, number: "+14155550123".into(), variables: vars(&[("first_name", "Ana")]) }]);
    }

    #[test]
    fn invalid_and_empty_numbers() {
        let report = run(vec![row(2, "12", &[], None), row(3, "   ", &[], None)], &[], &[]);
        assert!(report.good.is_empty());
        assert_eq!(report.bad[0].number, "12");
        assert_eq!(report.bad[0].problems, [Problem::InvalidNumber("not a valid number".into())]);
        assert_eq!(report.bad[0].problems[0].to_string(), "invalid number: not a valid number");
        assert_eq!(report.bad[1].number, "   ", "kept as typed");
        assert_eq!(report.bad[1].problems, [Problem::InvalidNumber("the number is empty".into())]);
    }

    #[test]
    fn normaliser_gets_the_trimmed_number() {
        let seen = std::cell::RefCell::new(Vec::new());
        let rules = Rules {
            normalize: |raw: &str| {
                seen.borrow_mut().push(raw.to_string());
                Ok::<_, String>("+15550000000".to_string())
            },
            required: &[],
            do_not_call: &HashSet::new(),
        };
        validate(&sheet(vec![row(2, "  +1 555  ", &[], None)]), &rules);
        assert_eq!(*seen.borrow(), ["+1 555"]);
    }

    #[test]
    fn duplicates_point_at_the_first_good_numbered_row() {
        let report = run(
            vec![
                row(2, "bogus", &[], None),
                row(3, "415 555 0123", &[], None),
                row(4, "+1 (415) 555-0123", &[], None),
                row(5, "bogus", &[], None),
                row(7, "4155550123", &[], None),
            ],
            &[],
            &[],
        );
        assert_eq!(report.good.len(), 1);
        assert_eq!(report.good[0].row, 3);
        let dup: Vec<(usize, &[Problem])> = report.bad.iter().map(|b| (b.row, b.problems.as_slice())).collect();
        assert_eq!(dup[1], (4, [Problem::Duplicate { of_row: 3 }].as_slice()));
        assert_eq!(dup[3], (7, [Problem::Duplicate { of_row: 3 }].as_slice()));
        // Two invalid numbers are not duplicates of each other.
        assert_eq!(dup[2].1, [Problem::InvalidNumber("not a valid number".into())]);
        assert_eq!(Problem::Duplicate { of_row: 7 }.to_string(), "duplicate of row 7");
    }

    #[test]
    fn duplicate_of_a_bad_row_that_had_a_valid_number() {
        // Row 2 misses a variable but owns the number; row 3 repeats it.
        let report = run(vec![row(2, "4155550123", &[("name", "")], None), row(3, "4155550123", &[("name", "Bo")], None)], &["name"], &[]);
        assert!(report.good.is_empty());
        assert_eq!(report.bad[0].problems, [Problem::MissingVariables(vec!["name".into()])]);
        assert_eq!(report.bad[1].problems, [Problem::Duplicate { of_row: 2 }]);
    }

    #[test]
    fn do_not_call_is_checked_on_the_normalised_number() {
        let report = run(vec![row(2, "(415) 555-0123", &[], None), row(3, "4155550199", &[], None)], &[], &["+14155550123"]);
        assert_eq!(report.bad.len(), 1);
        assert_eq!(report.bad[0].problems, [Problem::DoNotCall]);
        assert_eq!(report.bad[0].problems[0].to_string(), "on the do-not-call list");
        assert_eq!(report.good[0].row, 3);
    }

    #[test]
    fn all_problems_of_a_row_are_collected() {
        let report = run(vec![row(2, "4155550123", &[("a", "x")], None), row(3, "4155550123", &[], Some("{\"x\": [1]}"))], &["b", "a", "c"], &["+14155550123"]);
        assert_eq!(report.bad[0].problems, [Problem::DoNotCall, Problem::MissingVariables(vec!["b".into(), "c".into()])]);
        assert_eq!(
            report.bad[1].problems,
            [
                Problem::Duplicate { of_row: 2 },
                Problem::DoNotCall,
                Problem::BadJson("values must be text, numbers or booleans (not in x)".into()),
                Problem::MissingVariables(vec!["a".into(), "b".into(), "c".into()]),
            ]
        );
    }

    #[test]
    fn missing_variables_sorted_deduplicated_and_blank_counts_as_missing() {
        let report = run(vec![row(2, "4155550123", &[("first_name", "  "), ("date", "")], None)], &["first_name", "date", "first_name"], &[]);
        let problem = &report.bad[0].problems[0];
        assert_eq!(*problem, Problem::MissingVariables(vec!["date".into(), "first_name".into()]));
        assert_eq!(problem.to_string(), "missing variable(s): date, first_name");
    }

    #[test]
    fn json_values_and_precedence() {
        let json = r#"{"first_name": "Ana ", "age": 42, "score": 3.5, "vip": true,
                       "city": null, "note": "  ", "extra": "x"}"#;
        let report =
            run(vec![row(2, "4155550123", &[("first_name", "Column Ana"), ("city", "Lisbon"), ("note", "keep")], Some(json))], &["first_name", "age", "city"], &[]);
        assert!(report.bad.is_empty(), "{:?}", report.bad);
        assert_eq!(
            report.good[0].variables,
            vars(&[
                ("first_name", "Ana "), // JSON wins, strings as is
                ("age", "42"),
                ("score", "3.5"),
                ("vip", "true"),
                ("city", "Lisbon"), // null = not given, column stays
                ("note", "keep"),   // blank string = not given
                ("extra", "x"),
            ])
        );
    }

    #[test]
    fn unparseable_json_and_non_objects() {
        let report =
            run(vec![row(2, "4155550121", &[], Some("{\"a\": ")), row(3, "4155550122", &[], Some("[1, 2]")), row(4, "4155550123", &[], Some("\"text\""))], &["a"], &[]);
        assert_eq!(report.bad.len(), 3);
        for bad in &report.bad {
            // Missing variables are not reported when the JSON could not be read.
            assert_eq!(bad.problems.len(), 1, "{:?}", bad.problems);
            assert_eq!(bad.problems[0].code(), "bad_json");
        }
        let first = report.bad[0].problems[0].to_string();
        assert!(first.starts_with("bad dynamicVariables JSON: EOF while parsing"), "{first}");
        assert_eq!(report.bad[1].problems[0].to_string(), "bad dynamicVariables JSON: it must be a JSON object, like {\"first_name\": \"Ana\"}");
    }

    #[test]
    fn nested_json_values_name_their_keys_and_keep_the_rest() {
        let report = run(vec![row(2, "4155550123", &[], Some(r#"{"z": {"a": 1}, "b": [1], "ok": "yes"}"#))], &["ok"], &[]);
        assert_eq!(report.bad[0].problems, [Problem::BadJson("values must be text, numbers or booleans (not in b, z)".into())]);
    }

    #[test]
    fn codes_are_stable() {
        let all = [
            Problem::InvalidNumber(String::new()),
            Problem::Duplicate { of_row: 1 },
            Problem::MissingVariables(Vec::new()),
            Problem::BadJson(String::new()),
            Problem::DoNotCall,
        ];
        let codes: Vec<&str> = all.iter().map(Problem::code).collect();
        assert_eq!(codes, ["invalid_number", "duplicate", "missing_variables", "bad_json", "do_not_call"]);
    }

    #[test]
    fn order_is_kept_and_total_counts_all_rows() {
        let report = run(vec![row(2, "4155550121", &[], None), row(3, "x", &[], None), row(5, "4155550122", &[], None), row(6, "y", &[], None)], &[], &[]);
        assert_eq!(report.total, 4);
        assert_eq!(report.good.iter().map(|g| g.row).collect::<Vec<_>>(), [2, 5]);
        assert_eq!(report.bad.iter().map(|b| b.row).collect::<Vec<_>>(), [3, 6]);
    }

    #[test]
    fn end_to_end_from_csv() {
        let text = "Phone Number,first_name,dynamicVariables\n\
                    415-555-0123,Ana,\"{\"\"date\"\": \"\"2026-03-08\"\"}\"\n\
                    \n\
                    415 555 0123,Bo,\n\
                    12,,\n";
        let sheet = read_sheet(Some("x.csv"), text.as_bytes(), 10).unwrap();
        let required = vec!["first_name".to_string(), "date".to_string()];
        let dnc = HashSet::new();
        let report = validate(&sheet, &Rules { normalize, required: &required, do_not_call: &dnc });
        assert_eq!(report.total, 3);
        assert_eq!(report.good.len(), 1);
        assert_eq!(report.good[0].row, 2);
        assert_eq!(report.good[0].variables, vars(&[("first_name", "Ana"), ("date", "2026-03-08")]));
        let texts: Vec<(usize, Vec<String>)> = report.bad.iter().map(|b| (b.row, b.problems.iter().map(ToString::to_string).collect())).collect();
        assert_eq!(
            texts,
            [
                (4, vec!["duplicate of row 2".to_string(), "missing variable(s): date".to_string()]),
                (5, vec!["invalid number: not a valid number".to_string(), "missing variable(s): date, first_name".to_string()]),
            ]
        );
    }

    #[test]
    fn ten_thousand_rows_validate_quickly() {
        let rows: Vec<RawRow> = (0..10_000)
            .map(|i| row(i + 2, &format!("415{:07}", i % 9_000), &[("first_name", "Ana"), ("city", "Lisbon")], Some(r#"{"date": "2026-03-08", "n": 1}"#)))
            .collect();
        let started = std::time::Instant::now();
        let report = run(rows, &["first_name", "date"], &["+14150000007"]);
        let elapsed = started.elapsed();
        eprintln!("10,000 rows validated in {elapsed:?}");
        assert_eq!(report.total, 10_000);
        assert_eq!(report.good.len(), 8_999);
        assert_eq!(report.bad.len(), 1_001);
        if !cfg!(debug_assertions) {
            // Generous: the budget is "a few ms", the bound only catches order-of-magnitude regressions
            // on a loaded 2-core machine.
            assert!(elapsed.as_millis() < 100, "took {elapsed:?}");
        }
    }
}
