#!/usr/bin/env bash
# compare.sh: time loopwarden against Ruff's asyncio rules on the same code, in one run.
#
#   scripts/bench/compare.sh [BIN] [PATH...]
#
#   BIN    the loopwarden binary (default: target/release/loopwarden of this repository)
#   PATH   what to lint (default: the pinned corpus; fetch-corpus.sh is run first, which
#          costs a couple of seconds and no network once the corpus is there)
#
# The two commands, both printing a JSON array of findings (exit 0: none, 1: some):
#   loopwarden check --output-format json [$LW_EXTRA_ARGS] PATH...
#   ruff check --isolated --select ASYNC,RUF006 --no-cache --output-format json PATH...
# Ruff is the version pinned in tools.txt; if no `ruff` of that version is on PATH or in
# the cache, it is installed with pip into $LW_CORPUS/venv-ruff-VERSION.
#
# The tools run alternately, loopwarden then Ruff, LW_RUNS times each, one process at a
# time. Each run is cold: Ruff keeps no cache (--no-cache) and loopwarden has none. The
# files are read once beforehand so that both tools find them in the page cache. Each run
# records wall time, CPU time and peak RSS (the kernel's ru_maxrss from wait4, the figure
# GNU time prints for %M), and its findings are counted.
#
# Output: a markdown table (median wall, min..max, median CPU, peak RSS, findings, and the
# loopwarden/Ruff ratios) and notes, on stdout, ready to paste into docs/benchmarks.md;
# progress on stderr; the raw outputs of the last run of each tool, and every run's
# measurements, in $LW_BENCH_OUT. A warning is printed when the machine was busy: a load
# average of LW_BUSY_LOAD or more before timing, or other processes using CPU during it.
#
# Environment:
#   LW_RUNS         timed runs per tool (default: 7)
#   LW_CORPUS       the corpus cache (default: $HOME/.cache/loopwarden-corpus)
#   LW_EXTRA_ARGS   more words for loopwarden, after `check --output-format json`
#   LW_BUSY_LOAD    the 1-minute load average that counts as busy (default: 0.5)
#   LW_BENCH_OUT    where raw outputs go (default: $LW_CORPUS/results/DATE-TIME)
#   PYTHON          the python3 to run (default: python3)
# Needs bash and python3 (with pip and venv, the first time, to install Ruff).
set -euo pipefail

kit=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$kit/../.." && pwd)
cache=${LW_CORPUS:-$HOME/.cache/loopwarden-corpus}
runs=${LW_RUNS:-7}
python=${PYTHON:-python3}

die() { echo "compare: error: $*" >&2; exit 2; }

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
  exit 0
fi
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "LW_RUNS must be a positive whole number, not '$runs'"
command -v "$python" >/dev/null 2>&1 || die "'$python' not found; set PYTHON"

# --- loopwarden ----------------------------------------------------------------------------
lw=${1:-$repo/target/release/loopwarden}
[[ $# -gt 0 ]] && shift
[[ -f "$lw" && -x "$lw" ]] || die "no loopwarden binary at '$lw' (cargo build --release, or pass its path)"
lw=$(cd "$(dirname "$lw")" && pwd)/$(basename "$lw")
lw_version=$("$lw" --version 2>/dev/null) || die "'$lw --version' failed: is it a loopwarden binary?"

# --- Ruff, at the pinned version -----------------------------------------------------------
ruff_pin=$(grep -E '^ruff==[^[:space:]]+' "$kit/tools.txt" | head -n 1 || true)
[[ -n "$ruff_pin" ]] || die "no ruff==VERSION line in $kit/tools.txt"
ruff_version=${ruff_pin#ruff==}
venv=$cache/venv-ruff-$ruff_version
is_pinned_ruff() { [[ -x "$1" ]] && [[ "$("$1" --version 2>/dev/null)" == "ruff $ruff_version" ]]; }
ruff=""
for candidate in "$venv/bin/ruff" "$venv/target/bin/ruff" "$(command -v ruff || true)"; do
  if [[ -n "$candidate" ]] && is_pinned_ruff "$candidate"; then ruff=$candidate; break; fi
done
if [[ -z "$ruff" ]]; then
  echo "compare: installing $ruff_pin into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  if "$python" -m venv "$venv" >&2 && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "$ruff_pin" >&2 \
      || die "pip could not install $ruff_pin into $venv"
    ruff=$venv/bin/ruff
  else
    # A Python without a working venv module (Debian without python3-venv): pip can still
    # put the package in a plain folder, and Ruff's wheel carries its binary in bin/.
    echo "compare: no working venv; installing with pip --target instead" >&2
    rm -rf "$venv"
    "$python" -m pip install --disable-pip-version-check --quiet --target "$venv/target" "$ruff_pin" >&2 \
      || die "pip could not install $ruff_pin"
    ruff=$venv/target/bin/ruff
  fi
  is_pinned_ruff "$ruff" || die "installed $ruff_pin, but '$ruff --version' does not say ruff $ruff_version"
fi

# --- what to lint --------------------------------------------------------------------------
corpus_note=""
if [[ $# -gt 0 ]]; then
  paths=("$@")
  for path in "${paths[@]}"; do [[ -e "$path" ]] || die "no such file or directory: $path"; done
else
  fetched=$(LW_CORPUS=$cache "$kit/fetch-corpus.sh") || die "fetch-corpus.sh failed"
  printf '%s\n' "$fetched" >&2
  paths=("$(LW_CORPUS=$cache "$kit/fetch-corpus.sh" --print-root)")
  corpus_note="$(sed -n 's/^total: *//p' <<<"$fetched"), digest $(sed -n 's/^digest: *//p' <<<"$fetched")"
fi

out=${LW_BENCH_OUT:-$cache/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"

lw_cmd=("$lw" check --output-format json)
if [[ -n "${LW_EXTRA_ARGS:-}" ]]; then
  read -r -a extra <<<"$LW_EXTRA_ARGS"
  lw_cmd+=("${extra[@]}")
fi
lw_cmd+=("${paths[@]}")
ruff_cmd=("$ruff" check --isolated --select ASYNC,RUF006 --no-cache --output-format json "${paths[@]}")

git_head=""
if [[ "$lw" == "$repo/target/"* ]] && git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  git_head=$(git -C "$repo" log -1 --format='%h "%s"' 2>/dev/null || true)
fi

# The timing is done by python3: it starts each run, waits for it with wait4 (wall time,
# CPU time, peak RSS of that run alone) and counts the findings. Commands are passed as
# NUL-separated words in files, so no quoting can go wrong.
printf '%s\0' "${lw_cmd[@]}" >"$out/loopwarden.cmd"
printf '%s\0' "${ruff_cmd[@]}" >"$out/ruff.cmd"

exec "$python" - "$out" "$runs" "${LW_BUSY_LOAD:-0.5}" "$lw_version" "ruff $ruff_version" \
  "$corpus_note" "$git_head" "${LW_EXTRA_ARGS:-}" "${paths[@]}" <<'PY'
import collections
import datetime
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

out, runs, busy_load, lw_version, ruff_version, corpus_note, head, extra = sys.argv[1:9]
runs, busy_load, paths = int(runs), float(busy_load), sys.argv[9:]
tools = {
    "loopwarden": open(os.path.join(out, "loopwarden.cmd"), "rb").read().decode().split("\0")[:-1],
    "ruff": open(os.path.join(out, "ruff.cmd"), "rb").read().decode().split("\0")[:-1],
}


def say(message):
    print(f"compare: {message}", file=sys.stderr, flush=True)


def cpu_jiffies():
    """System-wide (busy, steal) clock ticks so far, from /proc/stat; None off Linux."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq + steal, steal


def load_average():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except (OSError, ValueError):
        return None


def count_findings(path):
    with open(path, "rb") as handle:
        findings = json.load(handle)
    if not isinstance(findings, list):
        raise ValueError("not a JSON array")
    return findings


def run(tool):
    command = tools[tool]
    stdout_path = os.path.join(out, f"{tool}.json")
    stderr_path = os.path.join(out, f"{tool}.stderr")
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in (0, 1):
        tail = open(stderr_path, errors="replace").read().splitlines()[-15:]
        say(f"error: {tool} exited with {code}: {shlex.join(command)}")
        for line in tail:
            print(f"    {line}", file=sys.stderr)
        sys.exit(2)
    try:
        findings = count_findings(stdout_path)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        say(f"error: {tool} did not print a JSON array of findings ({error}); see {stdout_path}")
        sys.exit(2)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,  # Linux reports KiB
        "findings": len(findings),
        "exit": code,
    }


# Read every file once, so that the disk cannot favour the tool that runs second.
for path in paths:
    for directory, _, names in os.walk(path) if os.path.isdir(path) else [("", None, [path])]:
        for name in names:
            try:
                with open(os.path.join(directory, name), "rb") as handle:
                    while handle.read(1 << 20):
                        pass
            except OSError:
                pass

load_before = load_average()
jiffies_before = cpu_jiffies()
started = time.perf_counter()
measured = {tool: [] for tool in tools}
for number in range(1, runs + 1):
    for tool in tools:  # loopwarden, ruff, loopwarden, ruff, ...
        result = run(tool)
        measured[tool].append(result)
        say(f"run {number}/{runs} {tool:<10} {result['wall']:7.3f} s wall {result['cpu']:7.3f} s CPU "
            f"{result['rss_mib']:7.1f} MiB {result['findings']:>6} findings")
elapsed = time.perf_counter() - started
jiffies_after = cpu_jiffies()
load_after = load_average()

with open(os.path.join(out, "runs.tsv"), "w") as table:
    table.write("tool\trun\twall_s\tcpu_s\tpeak_rss_mib\tfindings\texit\n")
    for tool, results in measured.items():
        for number, r in enumerate(results, 1):
            table.write(f"{tool}\t{number}\t{r['wall']:.4f}\t{r['cpu']:.4f}\t{r['rss_mib']:.1f}\t{r['findings']}\t{r['exit']}\n")

# --- summary -------------------------------------------------------------------------------
summary = {}
for tool, results in measured.items():
    walls = [r["wall"] for r in results]
    summary[tool] = {
        "wall": statistics.median(walls),
        "low": min(walls),
        "high": max(walls),
        "cpu": statistics.median(r["cpu"] for r in results),
        "rss": max(r["rss_mib"] for r in results),
        "findings": results[-1]["findings"],
        "counts": sorted({r["findings"] for r in results}),
    }
lw, rf = summary["loopwarden"], summary["ruff"]


def ratio(a, b):
    return f"{a / b:.2f}" if b else "n/a"


print("| tool | median wall | min..max | median CPU | peak RSS | findings |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
labels = {
    "loopwarden": f"{lw_version} (`{extra}`)" if extra else f"{lw_version} (default rules, JSON)",
    "ruff": f"{ruff_version} `--select ASYNC,RUF006`",
}
for tool, s in summary.items():
    print(f"| {labels[tool]} | {s['wall']:.3f} s | {s['low']:.3f}..{s['high']:.3f} s | {s['cpu']:.3f} s "
          f"| {s['rss']:.1f} MiB | {s['findings']:,} |")
print(f"| ratio loopwarden/ruff | {ratio(lw['wall'], rf['wall'])} | | {ratio(lw['cpu'], rf['cpu'])} "
      f"| {ratio(lw['rss'], rf['rss'])} | {ratio(lw['findings'], rf['findings'])} |")
print()

notes = []
when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
notes.append(f"{when}, {runs} runs of each tool, alternating (loopwarden, ruff, ...), no cache; "
             "median and range of wall time, median CPU time (user+system), peak RSS the largest of the runs")
if head:
    notes.append(f"loopwarden binary from a build of this repository; HEAD is {head} "
                 "(the build may include uncommitted changes)")
if corpus_note:
    notes.append(f"corpus: {corpus_note}")
else:
    notes.append("linted: " + " ".join(paths))

# Where the findings are: by code, and the file:line pairs both tools flag.
last = {tool: count_findings(os.path.join(out, f"{tool}.json")) for tool in tools}
places = {
    tool: {(os.path.realpath(f.get("filename") or ""), (f.get("location") or {}).get("row")) for f in findings}
    for tool, findings in last.items()
}
notes.append(f"file:line pairs flagged by both tools: {len(places['loopwarden'] & places['ruff']):,} "
             f"(loopwarden {len(places['loopwarden']):,}, ruff {len(places['ruff']):,})")
for tool, findings in last.items():
    by_code = collections.Counter(f.get("code") or "syntax error" for f in findings)
    notes.append(f"{tool} findings by code: " + (", ".join(f"{code} {n:,}" for code, n in sorted(by_code.items())) or "none"))
    if len(summary[tool]["counts"]) > 1:
        notes.append(f"WARNING: {tool} reported a different number of findings from run to run: "
                     + ", ".join(map(str, summary[tool]["counts"])))

# Was the machine busy?
warnings = []
cores = os.cpu_count() or 1
machine = f"{cores} cores"
if load_before is not None:
    machine += f"; load average before timing {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}"
    if load_after is not None:
        machine += f", after {load_after[0]:.2f} (the timed runs themselves raise it)"
    if load_before[0] >= busy_load:
        warnings.append(f"WARNING: the machine was busy before timing (1-minute load average "
                        f"{load_before[0]:.2f} >= {busy_load}); the wall times are likely inflated")
if jiffies_before is not None and jiffies_after is not None:
    ticks = os.sysconf("SC_CLK_TCK")
    busy = (jiffies_after[0] - jiffies_before[0]) / ticks
    steal = (jiffies_after[1] - jiffies_before[1]) / ticks
    ours = sum(r["cpu"] for results in measured.values() for r in results)
    others = max(0.0, busy - ours)
    machine += (f"; during the {elapsed:.1f} s of timing the CPUs were busy {busy:.1f} s, "
                f"{ours:.1f} s of it the timed runs, {others:.1f} s everything else")
    if steal >= 0.05:
        machine += f" (of which {steal:.1f} s stolen by the hypervisor)"
    if others > max(1.0, 0.05 * ours):
        warnings.append(f"WARNING: other processes used {others:.1f} CPU-seconds while the tools were timed "
                        f"({100 * others / max(ours, 1e-9):.0f} % of the tools' own); re-run on an idle machine "
                        "before quoting these times")
notes.append(f"machine: {machine}")
notes += [f"loopwarden command: `{shlex.join(tools['loopwarden'])}`", f"ruff command: `{shlex.join(tools['ruff'])}`",
          f"raw outputs: {out}"]

for note in notes:
    print(f"- {note}")
for warning in warnings:
    print()
    print(f"**{warning}**")
    say(warning)
PY
