//! The findings of one `validate` run, grouped: the same finding on many objects is one finding
//! that lists every place it was found.
//!
//! Two findings are **the same** when their severity, rule and message are equal. A message never
//! names the object it is about (that is the finding's resource) nor its file and line, so 20,000
//! workloads of one namespace missing one ConfigMap are one finding with 20,000 locations; the same
//! ConfigMap missing in two namespaces is two findings (the message names the namespace: the
//! ConfigMap has to be created in each).
//!
//! Order: every occurrence has the key (file in input order, line, order found); the occurrences of
//! a finding are sorted by it, and the findings by their first occurrence. Without repeats that is
//! the order of the ungrouped findings: file order, then line, then the order they were found.

use std::collections::HashMap;
use std::rc::Rc;

use crate::pipeline::finding::{Finding, Rule, Severity};
use crate::pipeline::objects::Location;

/// One place a finding was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// File name, as in messages.
    pub file: Rc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based index of the document in the file.
    pub document: usize,
    /// The object, e.g. `apps/v1 Deployment web/nginx`.
    pub resource: Rc<str>,
    /// (file in input order, line, order found).
    key: (usize, usize, usize),
}

/// One finding and every place it was found (at least one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Error or warning.
    pub severity: Severity,
    /// Which check found it.
    pub rule: Rule,
    /// What, and what to do.
    pub message: String,
    /// Where, in order.
    pub occurrences: Vec<Occurrence>,
    /// Dropped at the end when this object (kind, namespace, name) is among the inputs.
    unless_present: Option<ObjectKey>,
}

impl Group {
    /// The first place it was found.
    pub fn first(&self) -> &Occurrence {
        &self.occurrences[0]
    }
}

/// (kind, namespace, name) of a ConfigMap or Secret.
pub type ObjectKey = (String, String, String);

/// Collects findings as the files are checked, grouping them as they come.
#[derive(Debug, Default)]
pub struct Collector {
    /// File name → (position among the inputs, the shared name).
    files: HashMap<String, (usize, Rc<str>)>,
    groups: Vec<Group>,
    index: HashMap<(Severity, Rule, String), usize>,
    found: usize,
    last_resource: Option<Rc<str>>,
}

impl Collector {
    /// A collector for findings in the files named `files`, in input order.
    pub fn new(files: impl IntoIterator<Item = String>) -> Self {
        let mut collector = Collector::default();
        for name in files {
            let next = collector.files.len();
            collector
                .files
                .entry(name.clone())
                .or_insert_with(|| (next, Rc::from(name)));
        }
        collector
    }

    /// The shared name of file `name` and its position among the inputs (after them when it is
    /// not one of them).
    fn file(&mut self, name: &str) -> (usize, Rc<str>) {
        if let Some((i, shared)) = self.files.get(name) {
            return (*i, Rc::clone(shared));
        }
        let shared: Rc<str> = Rc::from(name);
        self.files
            .insert(name.to_owned(), (usize::MAX, Rc::clone(&shared)));
        (usize::MAX, shared)
    }

    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.add(finding, None);
    }

    /// Adds a finding that holds only if `object` is not among the inputs, which is known once
    /// every file is read ([`Collector::finish`]).
    pub fn push_unless_present(&mut self, object: ObjectKey, finding: Finding) {
        self.add(finding, Some(object));
    }

    fn add(&mut self, finding: Finding, unless_present: Option<ObjectKey>) {
        let Finding {
            severity,
            rule,
            location,
            resource,
            message,
        } = finding;
        let (order, file) = self.file(&location.file);
        // A workload's findings come one after the other: they share its name.
        let resource = match &self.last_resource {
            Some(last) if **last == *resource => Rc::clone(last),
            _ => {
                let shared: Rc<str> = Rc::from(resource);
                self.last_resource = Some(Rc::clone(&shared));
                shared
            }
        };
        let occurrence = Occurrence {
            file,
            line: location.line,
            document: location.document,
            resource,
            key: (order, location.line, self.found),
        };
        self.found += 1;
        let key = (severity, rule, message);
        match self.index.get(&key) {
            Some(&i) => self.groups[i].occurrences.push(occurrence),
            None => {
                let (severity, rule, message) = key;
                self.index
                    .insert((severity, rule, message.clone()), self.groups.len());
                self.groups.push(Group {
                    severity,
                    rule,
                    message,
                    occurrences: vec![occurrence],
                    unless_present,
                });
            }
        }
    }

    /// The findings, without those whose object turned out to be among the inputs (`present`),
    /// in order (see the module documentation).
    pub fn finish(self, present: impl Fn(&ObjectKey) -> bool) -> Findings {
        let mut groups: Vec<Group> = self
            .groups
            .into_iter()
            .filter(|g| !g.unless_present.as_ref().is_some_and(&present))
            .collect();
        for g in &mut groups {
            g.occurrences.sort_by_key(|o| o.key);
        }
        groups.sort_by_key(|g| g.first().key);
        Findings { groups }
    }
}

/// The findings of a run, grouped and in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// One per distinct finding.
    pub groups: Vec<Group>,
}

impl Findings {
    /// (errors, warnings), counting every occurrence: an error found on 3 workloads counts 3.
    pub fn counts(&self) -> (usize, usize) {
        let mut counts = (0, 0);
        for g in &self.groups {
            match g.severity {
                Severity::Error => counts.0 += g.occurrences.len(),
                Severity::Warning => counts.1 += g.occurrences.len(),
            }
        }
        counts
    }

    /// Every occurrence as a finding of its own, in the order of the ungrouped findings (file,
    /// line, order found).
    pub fn flat(&self) -> Vec<Finding> {
        let mut all: Vec<(&Occurrence, &Group)> = self
            .groups
            .iter()
            .flat_map(|g| g.occurrences.iter().map(move |o| (o, g)))
            .collect();
        all.sort_by_key(|(o, _)| o.key);
        all.into_iter()
            .map(|(o, g)| Finding {
                severity: g.severity,
                rule: g.rule,
                location: Location {
                    file: o.file.to_string(),
                    line: o.line,
                    document: o.document,
                },
                resource: o.resource.to_string(),
                message: g.message.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(
        file: &str,
        line: usize,
        resource: &str,
        severity: Severity,
        rule: Rule,
        message: &str,
    ) -> Finding {
        Finding {
            severity,
            rule,
            location: Location {
                file: file.into(),
                line,
                document: 1,
            },
            resource: resource.into(),
            message: message.into(),
        }
    }

    const WEB: &str = "apps/v1 Deployment ns/web";
    const API: &str = "apps/v1 Deployment ns/api";
    const MISSING: &str = "needs ConfigMap c in namespace ns";

    #[test]
    fn the_same_finding_on_many_objects_is_one_with_every_location_in_order() {
        let mut c = Collector::new(["a.yaml".to_owned(), "b.yaml".to_owned()]);
        let (e, w) = (Severity::Error, Severity::Warning);
        c.push(at("b.yaml", 1, WEB, e, Rule::MissingReference, MISSING));
        c.push(at("b.yaml", 1, WEB, w, Rule::Lint, "lint"));
        c.push(at("a.yaml", 9, API, e, Rule::MissingReference, MISSING));
        // Another severity, rule or message: another finding.
        c.push(at("a.yaml", 9, API, w, Rule::MissingReference, MISSING));
        c.push(at("a.yaml", 9, API, e, Rule::PodWebhook, MISSING));
        c.push(at("a.yaml", 9, API, e, Rule::PodWebhook, "other"));
        let findings = c.finish(|_| false);
        let summary: Vec<String> = findings
            .groups
            .iter()
            .map(|g| {
                let places: Vec<String> = g
                    .occurrences
                    .iter()
                    .map(|o| format!("{}:{} {}", o.file, o.line, o.resource))
                    .collect();
                format!(
                    "{} {} {}: {}",
                    g.severity.as_str(),
                    g.rule,
                    g.message,
                    places.join(", ")
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                "error missing-reference needs ConfigMap c in namespace ns: a.yaml:9 apps/v1 Deployment ns/api, b.yaml:1 apps/v1 Deployment ns/web",
                "warning missing-reference needs ConfigMap c in namespace ns: a.yaml:9 apps/v1 Deployment ns/api",
                "error pod-webhook needs ConfigMap c in namespace ns: a.yaml:9 apps/v1 Deployment ns/api",
                "error pod-webhook other: a.yaml:9 apps/v1 Deployment ns/api",
                "warning lint lint: b.yaml:1 apps/v1 Deployment ns/web",
            ]
        );
        assert_eq!(findings.counts(), (4, 2));
        let flat: Vec<String> = findings
            .flat()
            .iter()
            .map(|f| {
                format!(
                    "{}:{} {} {}",
                    f.location.file, f.location.line, f.rule, f.resource
                )
            })
            .collect();
        assert_eq!(
            flat,
            [
                "a.yaml:9 missing-reference apps/v1 Deployment ns/api",
                "a.yaml:9 missing-reference apps/v1 Deployment ns/api",
                "a.yaml:9 pod-webhook apps/v1 Deployment ns/api",
                "a.yaml:9 pod-webhook apps/v1 Deployment ns/api",
                "b.yaml:1 missing-reference apps/v1 Deployment ns/web",
                "b.yaml:1 lint apps/v1 Deployment ns/web",
            ]
        );
    }

    #[test]
    fn a_finding_about_an_object_among_the_inputs_is_dropped_at_the_end() {
        let mut c = Collector::new(["a.yaml".to_owned()]);
        for name in ["here", "absent"] {
            c.push_unless_present(
                ("ConfigMap".into(), "ns".into(), name.into()),
                at(
                    "a.yaml",
                    1,
                    WEB,
                    Severity::Error,
                    Rule::MissingReference,
                    &format!("needs ConfigMap {name}"),
                ),
            );
        }
        let findings = c.finish(|(_, _, name)| name == "here");
        assert_eq!(findings.groups.len(), 1);
        assert_eq!(findings.groups[0].message, "needs ConfigMap absent");
    }
}
