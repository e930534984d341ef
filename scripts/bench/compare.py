"""The timing half of compare.sh (run by it; see `compare.sh --help`).

Arguments, in order: the output folder, the temporary work folder, runs per tool and mode,
the modes, the busy load average, loopwarden's and Ruff's versions, a note on the corpus, the
git HEAD of the binary's repository, LW_EXTRA_ARGS, whether loopwarden offers --no-cache and
--cache-dir ("yes" or ""), and LW_EDIT_FILE. The base commands and the paths are in files of
NUL-separated words in the output folder.
"""

import collections
import datetime
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

(out, work, runs, modes, busy_load, lw_version, ruff_version, corpus_note, head, extra,
 lw_no_cache, lw_cache_dir, edit_file) = sys.argv[1:14]
runs, busy_load, modes = int(runs), float(busy_load), modes.split()
TOOLS = ("loopwarden", "ruff")
MODE_TITLES = {
    "cold": "cold",
    "first": "first run (cache on, empty)",
    "warm": "warm (cache, nothing changed)",
    "edit": "one-file edit",
    "edit-top": "one-file edit, lines moved",
    "edit-call": "one-file edit, a call added",
}
# The modes that run on the edited copy, each changing one file before every run.
EDIT_MODES = ("edit", "edit-top", "edit-call")


def words(name):
    with open(os.path.join(out, name), "rb") as handle:
        return [word for word in handle.read().decode().split("\0") if word]


base = {tool: words(f"{tool}.cmd") for tool in TOOLS}
paths, edit_paths = words("paths"), words("edit-paths")


def say(message):
    print(f"compare: {message}", file=sys.stderr, flush=True)


def cache_options(tool, mode):
    """The cache words of `tool`'s command in `mode`."""
    if tool == "ruff":
        if mode == "cold":
            return ["--no-cache"]
        return ["--cache-dir", os.path.join(work, f"ruff-cache-{mode}")]
    if mode == "cold" or not lw_cache_dir:
        return ["--no-cache"] if lw_no_cache else []
    return ["--cache-dir", os.path.join(work, f"loopwarden-cache-{mode}")]


def command(tool, mode):
    return base[tool] + cache_options(tool, mode) + (edit_paths if mode in EDIT_MODES else paths)


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


def read_findings(path):
    with open(path, "rb") as handle:
        findings = json.load(handle)
    if not isinstance(findings, list):
        raise ValueError("not a JSON array")
    return findings


# The cache flags alone decide: a cache setting in the caller's environment must not.
ENVIRONMENT = {
    name: value for name, value in os.environ.items()
    if name not in ("LOOPWARDEN_NO_CACHE", "LOOPWARDEN_CACHE_DIR", "RUFF_NO_CACHE", "RUFF_CACHE_DIR")
}


def run(tool, mode):
    """One run of `tool` in `mode`: its wall time, CPU time, peak RSS and findings."""
    argv = command(tool, mode)
    stdout_path = os.path.join(out, f"{tool}-{mode}.json")
    stderr_path = os.path.join(out, f"{tool}-{mode}.stderr")
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                   env=ENVIRONMENT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code
    if code not in (0, 1):
        tail = open(stderr_path, errors="replace").read().splitlines()[-15:]
        say(f"error: {tool} exited with {code}: {shlex.join(argv)}")
        for line in tail:
            print(f"    {line}", file=sys.stderr)
        sys.exit(2)
    try:
        findings = read_findings(stdout_path)
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


def python_files(root):
    if os.path.isfile(root):
        return [root]
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        found += [os.path.join(directory, name) for name in sorted(names) if name.endswith(".py")]
    return found


def edited_file():
    """The file the edit runs append to: LW_EDIT_FILE, else the first file of median size."""
    if not edit_paths:
        return None
    if edit_file:
        if len(edit_paths) != 1:
            say("error: LW_EDIT_FILE needs exactly one PATH")
            sys.exit(2)
        chosen = os.path.join(edit_paths[0], edit_file)
        if not os.path.isfile(chosen):
            say(f"error: LW_EDIT_FILE: no file {chosen}")
            sys.exit(2)
        return chosen
    files = [path for root in edit_paths for path in python_files(root)]
    if not files:
        say("error: no .py file to edit under " + " ".join(edit_paths))
        sys.exit(2)
    sizes = sorted(os.path.getsize(path) for path in files)
    median = sizes[len(sizes) // 2]
    return next(path for path in files if os.path.getsize(path) == median)


# Read every file once, so that the disk cannot favour the tool that runs second.
for path in paths + edit_paths:
    for directory, _, names in os.walk(path) if os.path.isdir(path) else [("", None, [path])]:
        for name in names:
            try:
                with open(os.path.join(directory, name), "rb") as handle:
                    while handle.read(1 << 20):
                        pass
            except OSError:
                pass

edit_target = edited_file() if any(mode in EDIT_MODES for mode in modes) else None
edits = 0


def edit(mode):
    """Changes the edited file as a person would: `edit` adds one more statement at its end,
    which moves nothing; `edit-top` adds a comment line at its top, which moves every line
    and offset below it (what most edits do to the code after them); `edit-call` adds a
    function that calls another at its end, which changes what calls what."""
    global edits
    edits += 1
    if mode == "edit":
        with open(edit_target, "a") as handle:
            handle.write(f"\nBENCHMARK_EDIT_{edits} = {edits}\n")
        return
    if mode == "edit-call":
        with open(edit_target, "a") as handle:
            handle.write(f"\n\ndef benchmark_edit_{edits}():\n    return print({edits})\n")
        return
    with open(edit_target, "rb") as handle:
        text = handle.read()
    with open(edit_target, "wb") as handle:
        handle.write(f"# benchmark edit {edits}\n".encode() + text)


load_before = load_average()
jiffies_before = cpu_jiffies()
started = time.perf_counter()
measured = {(mode, tool): [] for mode in modes for tool in TOOLS}
for mode in modes:
    if mode in ("warm",) + EDIT_MODES:
        for tool in TOOLS:  # fills the cache; not timed
            run(tool, mode)
    for number in range(1, runs + 1):
        for tool in TOOLS:  # loopwarden, ruff, loopwarden, ruff, ...
            if mode in EDIT_MODES:
                edit(mode)
            if mode == "first":  # each run finds its cache directory gone
                shutil.rmtree(cache_options(tool, mode)[-1], ignore_errors=True)
            result = run(tool, mode)
            measured[(mode, tool)].append(result)
            say(f"{mode} run {number}/{runs} {tool:<10} {result['wall']:7.3f} s wall {result['cpu']:7.3f} s CPU "
                f"{result['rss_mib']:7.1f} MiB {result['findings']:>6} findings")
elapsed = time.perf_counter() - started
jiffies_after = cpu_jiffies()
load_after = load_average()

with open(os.path.join(out, "runs.tsv"), "w") as table:
    table.write("mode\ttool\trun\twall_s\tcpu_s\tpeak_rss_mib\tfindings\texit\n")
    for (mode, tool), results in measured.items():
        for number, r in enumerate(results, 1):
            table.write(f"{mode}\t{tool}\t{number}\t{r['wall']:.4f}\t{r['cpu']:.4f}\t{r['rss_mib']:.1f}"
                        f"\t{r['findings']}\t{r['exit']}\n")

# --- summary -------------------------------------------------------------------------------
summary = {}
for key, results in measured.items():
    walls = [r["wall"] for r in results]
    summary[key] = {
        "wall": statistics.median(walls),
        "low": min(walls),
        "high": max(walls),
        "cpu": statistics.median(r["cpu"] for r in results),
        "rss": max(r["rss_mib"] for r in results),
        "findings": results[-1]["findings"],
        "counts": sorted({r["findings"] for r in results}),
    }


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "n/a"


def seconds(value):
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


labels = {
    "loopwarden": f"{lw_version} (`{extra}`)" if extra else f"{lw_version}",
    "ruff": f"{ruff_version} `--select ASYNC,RUF006`",
}

print(f"| run | {labels['loopwarden']} | {labels['ruff']} | ratio loopwarden/Ruff |")
print("| --- | ---: | ---: | ---: |")
for mode in modes:
    lw, rf = summary[(mode, "loopwarden")], summary[(mode, "ruff")]
    title = MODE_TITLES[mode]
    if mode != "cold" and not lw_cache_dir:
        title += " (loopwarden has no cache)"
    print(f"| {title}, median wall | {seconds(lw['wall'])} | {seconds(rf['wall'])} | {ratio(lw['wall'], rf['wall'])} |")
    print(f"| {MODE_TITLES[mode]}, median CPU | {seconds(lw['cpu'])} | {seconds(rf['cpu'])} | {ratio(lw['cpu'], rf['cpu'])} |")
    print(f"| {MODE_TITLES[mode]}, peak RSS | {lw['rss']:.1f} MiB | {rf['rss']:.1f} MiB | {ratio(lw['rss'], rf['rss'])} |")
first = modes[0]
print(f"| findings ({MODE_TITLES[first]}) | {summary[(first, 'loopwarden')]['findings']:,} "
      f"| {summary[(first, 'ruff')]['findings']:,} | |")
print()

print("| mode | tool | median wall | min..max | median CPU | peak RSS | findings |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for (mode, tool), s in summary.items():
    print(f"| {mode} | {tool} | {s['wall']:.3f} s | {s['low']:.3f}..{s['high']:.3f} s | {s['cpu']:.3f} s "
          f"| {s['rss']:.1f} MiB | {s['findings']:,} |")
print()

notes = []
when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
notes.append(f"{when}, {runs} timed runs of each tool per mode ({', '.join(modes)}), alternating "
             "(loopwarden, ruff, ...); median and range of wall time, median CPU time (user+system), "
             "peak RSS the largest of the runs")
if head:
    notes.append(f"loopwarden binary from a build of this repository; HEAD is {head} "
                 "(the build may include uncommitted changes)")
notes.append("loopwarden cache options: "
             + (", ".join(o for o, on in (("--no-cache", lw_no_cache), ("--cache-dir", lw_cache_dir)) if on)
                or "none (every run is cold)"))
if corpus_note:
    notes.append(f"corpus: {corpus_note}")
else:
    notes.append("linted: " + " ".join(paths))
if edit_target:
    notes.append(f"edit runs: a copy of the linted paths; before each run one line is added to "
                 f"{os.path.relpath(edit_target, os.path.dirname(edit_paths[0]))} "
                 f"({os.path.getsize(edit_target):,} bytes at the end): `BENCHMARK_EDIT_N = N` "
                 f"appended (edit), `# benchmark edit N` inserted at the top (edit-top), "
                 f"`def benchmark_edit_N(): return print(N)` appended (edit-call)")

# Where the findings are: by code, and the file:line pairs both tools flag (cold).
if "cold" in modes:
    last = {tool: read_findings(os.path.join(out, f"{tool}-cold.json")) for tool in TOOLS}
    places = {
        tool: {(os.path.realpath(f.get("filename") or ""), (f.get("location") or {}).get("row")) for f in findings}
        for tool, findings in last.items()
    }
    notes.append(f"file:line pairs flagged by both tools: {len(places['loopwarden'] & places['ruff']):,} "
                 f"(loopwarden {len(places['loopwarden']):,}, ruff {len(places['ruff']):,})")
    for tool, findings in last.items():
        by_code = collections.Counter(f.get("code") or "syntax error" for f in findings)
        notes.append(f"{tool} findings by code: "
                     + (", ".join(f"{code} {n:,}" for code, n in sorted(by_code.items())) or "none"))
for (mode, tool), s in summary.items():
    # An edit appends a statement: it may change nothing, or one finding's worth.
    if len(s["counts"]) > 1 and not (mode in EDIT_MODES and s["counts"][-1] - s["counts"][0] <= 1):
        notes.append(f"WARNING: {tool} ({mode}) reported a different number of findings from run to run: "
                     + ", ".join(map(str, s["counts"])))
# A cache must not change what is found.
for mode in modes:
    if mode == "cold" or "cold" not in modes:
        continue
    for tool in TOOLS:
        cold, cached = summary[("cold", tool)]["findings"], summary[(mode, tool)]["findings"]
        if cached != cold:
            notes.append(f"WARNING: {tool} found {cached:,} ({mode}), {cold:,} cold")

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
    # Every run's CPU, the untimed priming runs' too (they are not in `measured`: estimated
    # as one median run per tool and cached mode).
    ours = sum(r["cpu"] for results in measured.values() for r in results)
    ours += sum(summary[(mode, tool)]["cpu"] for mode in modes if mode != "cold" for tool in TOOLS)
    others = max(0.0, busy - ours)
    machine += (f"; during the {elapsed:.1f} s of timing the CPUs were busy {busy:.1f} s, "
                f"{ours:.1f} s of it the tools, {others:.1f} s everything else")
    if steal >= 0.05:
        machine += f" (of which {steal:.1f} s stolen by the hypervisor)"
    if others > max(1.0, 0.05 * ours):
        warnings.append(f"WARNING: other processes used {others:.1f} CPU-seconds while the tools were timed "
                        f"({100 * others / max(ours, 1e-9):.0f} % of the tools' own); re-run on an idle machine "
                        "before quoting these times")
notes.append(f"machine: {machine}")
for mode in modes:
    for tool in TOOLS:
        shown = [word.replace(work, "$TMP") for word in command(tool, mode)]
        notes.append(f"{tool} command ({mode}): `{shlex.join(shown)}`")
notes.append(f"raw outputs: {out}")

for note in notes:
    print(f"- {note}")
for warning in warnings:
    print()
    print(f"**{warning}**")
    say(warning)
