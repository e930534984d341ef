//! `--statistics`: how many findings of each rule, most frequent first, laid out like Ruff's:
//! the count right-aligned, a tab, the code, a tab, the rule's name.
//!
//! LW103 counts distinct helpers, not call sites: one helper that blocks, called from three
//! hundred coroutines, is one problem (the call sites follow the name, in parentheses).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::options::{helper_call_sites, helper_chain};
use crate::registry::Rule;
use crate::report::Report;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    // Per rule: findings confirmed at run time, findings seen at run time only.
    let mut seen: BTreeMap<Rule, (usize, usize)> = BTreeMap::new();
    for finding in report.findings() {
        if let Some(runtime) = &finding.runtime {
            let entry = seen.entry(finding.rule).or_default();
            if runtime.only_at_runtime {
                entry.1 += 1;
            } else {
                entry.0 += 1;
            }
        }
        if helper_chain(finding).is_none() {
            *counts.entry(finding.rule).or_default() += 1;
        }
    }
    let helpers = helper_call_sites(report);
    let call_sites: usize = helpers.values().map(Vec::len).sum();
    if !helpers.is_empty() {
        counts.insert(Rule::TransitiveBlockingCall, helpers.len());
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
        let sites = if rule == Rule::TransitiveBlockingCall && call_sites != count {
            format!(" ({call_sites} call sites)")
        } else {
            String::new()
        };
        let runtime = match seen.get(&rule) {
            Some((confirmed, 0)) => format!(" ({confirmed} seen at run time)"),
            Some((0, only)) => format!(" ({only} runtime only)"),
            Some((confirmed, only)) => {
                format!(" ({confirmed} seen at run time, {only} runtime only)")
            }
            None => String::new(),
        };
        writeln!(
            out,
            "{count:>count_width$}\t{:<code_width$}\t{}{sites}{runtime}",
            rule.code(),
            rule.name()
        )?;
    }
    Ok(())
}
