#!/usr/bin/env python3
"""Draw the accuracy sample of docs/accuracy.md from a loopwarden JSON report.

For every rule in the report, picks up to N findings at random with a fixed seed (so the
same report and seed always give the same sample) and prints a markdown table skeleton:
one row per sampled finding with its file:row and message, and empty verdict and reason
columns for the reader to fill in (real / acceptable / false alarm, and one line of why).

    loopwarden check CORPUS --output-format json --exit-zero > findings.json
    scripts/accuracy_sample.py findings.json --seed 8 --per-rule 30 --strip-prefix CORPUS/

Re-draw with a new seed to check that the figures were not tuned to one sample.
"""

import argparse
import collections
import json
import random
import sys


def load(path):
    with open(path, encoding="utf-8") as handle:
        findings = json.load(handle)
    if not isinstance(findings, list):
        sys.exit(f"{path}: expected the JSON array of `--output-format json`")
    return findings


def draw(findings, seed, per_rule, rules):
    by_rule = collections.defaultdict(list)
    for finding in findings:
        if rules and finding["code"] not in rules:
            continue
        by_rule[finding["code"]].append(finding)
    sample = {}
    for code in sorted(by_rule):
        # Sort before drawing so the sample does not depend on the report's order.
        pool = sorted(
            by_rule[code],
            key=lambda f: (f["filename"], f["location"]["row"], f["location"]["column"]),
        )
        # One generator per rule, seeded with the seed and the code: adding a rule to the
        # report does not change another rule's sample.
        chooser = random.Random(f"{seed}:{code}")
        picked = chooser.sample(pool, min(per_rule, len(pool)))
        picked.sort(key=lambda f: (f["filename"], f["location"]["row"]))
        sample[code] = (len(pool), picked)
    return sample


def cell(text, limit):
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", help="loopwarden --output-format json output")
    parser.add_argument("--seed", default="8", help="the seed written in docs/accuracy.md")
    parser.add_argument("--per-rule", type=int, default=30, help="findings per rule at most")
    parser.add_argument("--rules", default="", help="comma-separated codes (default: all)")
    parser.add_argument("--strip-prefix", default="", help="drop this prefix from file names")
    parser.add_argument("--message-chars", type=int, default=90)
    args = parser.parse_args()

    rules = {code.strip() for code in args.rules.split(",") if code.strip()}
    sample = draw(load(args.report), args.seed, args.per_rule, rules)
    print(f"Sample: seed `{args.seed}`, up to {args.per_rule} findings per rule.\n")
    for code, (total, picked) in sample.items():
        print(f"### {code}: {len(picked)} of {total}\n")
        print("| # | file:row | message | verdict | why |")
        print("| --- | --- | --- | --- | --- |")
        for number, finding in enumerate(picked, 1):
            filename = finding["filename"]
            if args.strip_prefix and filename.startswith(args.strip_prefix):
                filename = filename[len(args.strip_prefix) :]
            where = f"`{filename}:{finding['location']['row']}`"
            message = cell(finding["message"], args.message_chars)
            print(f"| {number} | {where} | {message} |  |  |")
        print()


if __name__ == "__main__":
    main()
