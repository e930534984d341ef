//! `--statistics`: how many findings of each rule, most frequent first, laid out like Ruff's:
//! the count right-aligned, a tab, the code, a tab, the rule's name.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::registry::Rule;
use crate::report::Report;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for finding in report.findings() {
        *counts.entry(finding.rule).or_default() += 1;
    }
    let mut counts: Vec<(Rule, usize)> = counts.into_iter().collect();
    counts.sort_by(|(a, a_count), (b, b_count)| {
        b_count.cmp(a_count).then_with(|| a.code().cmp(b.code()))
    });
    let count_width = counts
        .iter()
        .map(|(_, count)| count.to_string().len())
        .max()
        .unwrap_or(0);
    let code_width = counts
        .iter()
        .map(|(rule, _)| rule.code().len())
        .max()
        .unwrap_or(0);
    for (rule, count) in counts {
        writeln!(
            out,
            "{count:>count_width$}\t{:<code_width$}\t{}",
            rule.code(),
            rule.name()
        )?;
    }
    Ok(())
}
