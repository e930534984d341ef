#!/usr/bin/env python3
"""Run loopwarden on real, public fix commits of asyncio pitfalls ("known bugs").

Each case in cases.json (a list of objects: id, project, rule, buggy_commit,
fixed_commit, files, line, description, reference; optionally file, fixed_file,
target_version) names a project, the commit before a fix (buggy_commit), the fix itself
(fixed_commit), the files to check, the rule that should report the bug and the line of
the bug in the buggy version.  `line` is where the rule reports the bug: the blocking or
unawaited call itself, but for LW103 the coroutine's call into the blocking helper and for
LW104 the place where the function is handed to another thread.  For every case this script

  1. gets the listed files at both commits: from a local mirror when one holds the commit
     (--mirror DIR, with git directories at DIR/<owner>+<name>/repo, DIR/<owner>+<name>
     or DIR/<owner>/<name>, bare or with a .git inside), else from
     raw.githubusercontent.com/<owner>/<repo>/<sha>/<path>, cached under
     ~/.cache/loopwarden-known-bugs/<owner>+<name>/<sha>/<path>;
  2. lays them out in a temporary directory, keeping their paths (a file missing at a
     commit, because the fix moved or deleted it, is simply left out);
  3. runs `loopwarden check DIR --select RULE --output-format json --exit-zero`;
  4. decides:
       buggy flagged: a finding of RULE in the case's file (the first of `files`, or
                      `file` when given) whose start row is within +-2 lines (TOLERANCE)
                      of `line` in the buggy version;
       fixed quiet:   no finding of RULE at all in the fixed version's corresponding file
                      (`fixed_file` when the fix renamed it, else the same path).
                      A case whose fix deleted that file counts as quiet.
       quiet at fix:  no finding of RULE in that file within +-2 lines of the lines the
                      fix changed, or of where the buggy line is in the fixed version
                      (difflib's alignment of the two versions): the bug's own place is
                      quiet, whatever other instances the fix left elsewhere in the file.

It prints a markdown table and the totals (a case that could not be fetched or run is
shown as "error" and counts as neither flagged nor quiet).  Python 3.9+, standard
library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

TOLERANCE = 2  # rows either side of the case's line that still count as "the bug"
HERE = Path(__file__).resolve().parent


def mirror_git_dir(mirror_root, project):
    if not mirror_root:
        return None
    owner, name = project.split("/", 1)
    root = Path(mirror_root)
    for base in (root / f"{owner}+{name}" / "repo", root / f"{owner}+{name}", root / owner / name):
        for cand in (base, base / ".git"):
            if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
                return cand
    return None


def from_mirror(git_dir, sha, path):
    proc = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{sha}:{path}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    return proc.stdout if proc.returncode == 0 else None


def from_github(project, sha, path, cache_root):
    cached = cache_root / project.replace("/", "+") / sha / path
    missing = cached.with_name(cached.name + ".missing")
    if cached.is_file():
        return cached.read_bytes()
    if missing.is_file():
        return None
    url = f"https://raw.githubusercontent.com/{project}/{sha}/{path}"
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            data = resp.read()
    except urllib.error.HTTPError as err:
        if err.code == 404:
            missing.parent.mkdir(parents=True, exist_ok=True)
            missing.write_text("404\n")
            return None
        raise
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(cached.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, cached)
    return data


def get_file(case, sha, path, args):
    git_dir = mirror_git_dir(args.mirror, case["project"])
    if git_dir is not None:
        data = from_mirror(git_dir, sha, path)
        if data is not None:
            return data
        has_commit = subprocess.run(
            ["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{sha}^{{commit}}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ).returncode == 0
        if has_commit:  # the mirror has the commit: the path is not in it
            return None
    return from_github(case["project"], sha, path, Path(args.cache).expanduser())


def lay_out(case, sha, dest, args):
    present = []
    for path in case["files"]:
        data = get_file(case, sha, path, args)
        if data is None:
            continue
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        present.append(path)
    return present


def run_loopwarden(binary, directory, rule, extra):
    cmd = [binary, "check", str(directory), "--select", rule,
           "--output-format", "json", "--exit-zero"] + extra
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[:500]}")
    return json.loads(proc.stdout.decode() or "[]")


def findings_in(findings, root, path, rule):
    want = (root / path).resolve()
    out = []
    for f in findings:
        if f.get("code") != rule:
            continue
        name = Path(f["filename"])
        if not name.is_absolute():
            name = Path.cwd() / name
        if name.resolve() == want:
            out.append(f)
    return out


def places_of_fix(buggy_text, fixed_text, line):
    """Rows (1-based) of the fixed version that the fix touched, and the row the buggy
    version's `line` has there when it is unchanged."""
    import difflib
    buggy, fixed = buggy_text.splitlines(), fixed_text.splitlines()
    rows = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, buggy, fixed, autojunk=False).get_opcodes():
        if tag == "equal":
            if i1 < line <= i2:
                rows.add(j1 + line - i1)
        else:
            rows.update(range(j1 + 1, max(j2, j1 + 1) + 1))
            if i1 < line <= max(i2, i1 + 1):
                rows.add(j1 + 1)
    return rows


def check_case(case, args, workdir):
    rule = case["rule"]
    path = case.get("file", case["files"][0])
    fixed_path = case.get("fixed_file", path)
    extra = []
    if case.get("target_version"):
        extra += ["--target-version", case["target_version"]]
    result = {}
    texts = {}
    for version, sha in (("buggy", case["buggy_commit"]), ("fixed", case["fixed_commit"])):
        root = workdir / case["id"] / version
        root.mkdir(parents=True)
        present = lay_out(case, sha, root, args)
        want = path if version == "buggy" else fixed_path
        if want in present:
            texts[version] = (root / want).read_text(encoding="utf-8", errors="replace")
        if want not in present:
            if version == "buggy":
                raise RuntimeError(f"{case['id']}: {path} not found at {sha}")
            result["fixed"] = ([], True)
            result["at_fix"] = True
            continue
        findings = findings_in(run_loopwarden(args.binary, root, rule, extra), root, want, rule)
        if version == "buggy":
            near = [f for f in findings if abs(f["location"]["row"] - case["line"]) <= TOLERANCE]
            result["buggy"] = (findings, bool(near))
        else:
            result["fixed"] = (findings, not findings)
            places = places_of_fix(texts["buggy"], texts["fixed"], case["line"])
            result["at_fix"] = not any(
                abs(f["location"]["row"] - row) <= TOLERANCE for f in findings for row in places
            )
    return path, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=str(HERE / "cases.json"), help="the cases (default: cases.json beside this script)")
    ap.add_argument("--binary", default="target/release/loopwarden", help="the loopwarden binary (default: %(default)s)")
    ap.add_argument("--mirror", help="directory of local git mirrors (owner+name/repo)")
    ap.add_argument("--cache", default="~/.cache/loopwarden-known-bugs", help="where fetched files are cached (default: %(default)s)")
    ap.add_argument("--only", action="append", help="run only this case id (repeatable)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print the findings behind each verdict")
    ap.add_argument("--keep", help="lay the files out here and keep them (default: a temp dir)")
    args = ap.parse_args()

    cases = json.loads(Path(args.cases).read_text())
    if args.only:
        cases = [c for c in cases if c["id"] in args.only]
    binary = shutil.which(args.binary) or args.binary
    if not Path(binary).is_file():
        sys.exit(f"loopwarden binary not found: {args.binary} (build with cargo build --release)")
    args.binary = str(Path(binary).resolve())

    if args.keep:
        workdir = Path(args.keep)
        if workdir.exists():
            shutil.rmtree(workdir)
        workdir.mkdir(parents=True)
        cleanup = None
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="loopwarden-known-bugs-")
        workdir = Path(cleanup.name)

    rows, flagged, quiet, quiet_at_fix, errors = [], 0, 0, 0, 0
    print("| id | project | rule | file:line | buggy flagged | fixed quiet | quiet at fix |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for case in cases:
        try:
            path, res = check_case(case, args, workdir)
        except Exception as err:  # a network failure or a bad case: say so, go on
            errors += 1
            print(f"| {case['id']} | {case['project']} | {case['rule']} | "
                  f"{case['files'][0]}:{case['line']} | error | error | error |")
            print(f"error in {case['id']}: {err}", file=sys.stderr)
            continue
        b_findings, b_ok = res["buggy"]
        f_findings, f_ok = res["fixed"]
        at_fix = res["at_fix"]
        flagged += b_ok
        quiet += f_ok
        quiet_at_fix += at_fix
        yes = lambda ok: "yes" if ok else "no"
        print(f"| {case['id']} | {case['project']} | {case['rule']} | {path}:{case['line']} | "
              f"{yes(b_ok)} | {yes(f_ok)} | {yes(at_fix)} |")
        if args.verbose:
            for label, fs in (("buggy", b_findings), ("fixed", f_findings)):
                for f in fs:
                    print(f"    {label}: {f['location']['row']}: {f['message']}", file=sys.stderr)
    n = len(cases)
    # One decimal: a whole-number percentage would round 43/48 (89.6%) up to a "90%" it is not.
    pct = lambda k: f"{100.0 * k / n:.1f}%" if n else "n/a"
    print()
    print(f"Cases: {n}. Buggy version flagged: {flagged}/{n} ({pct(flagged)}). "
          f"Fixed version quiet: {quiet}/{n} ({pct(quiet)}). "
          f"Quiet at the fix: {quiet_at_fix}/{n} ({pct(quiet_at_fix)})."
          + (f" Errors: {errors}." if errors else ""))
    if cleanup is not None:
        cleanup.cleanup()


if __name__ == "__main__":
    main()
