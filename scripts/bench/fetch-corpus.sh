#!/usr/bin/env bash
# fetch-corpus.sh: make loopwarden's pinned benchmark corpus ready to lint.
#
#   scripts/bench/fetch-corpus.sh                fetch what is missing, verify, print the totals
#   scripts/bench/fetch-corpus.sh --print-root   print the directory to lint, and do nothing else
#
# For each pin of corpus.txt it downloads the project's wheel from PyPI (pip, no
# dependencies, wheels only, always for the same target: CPython 3.13 on manylinux x86_64,
# whatever this machine is), checks the wheel's sha256 against corpus.sha256, and unpacks the
# wheel's .py files, and nothing else, into $LW_CORPUS/src/NAME-VERSION/. It then prints
# files, lines and MB per project and in total, and a digest of the whole source tree, so
# two machines can tell that they lint the same code.
#
# Cache layout ($LW_CORPUS, default ~/.cache/loopwarden-corpus):
#   dist/*.whl              the downloaded wheels; a wheel that is here is not downloaded again
#   src/NAME-VERSION/...    the .py files of each pin (NAME lower-cased, runs of -_. made _)
#   manifest.tsv            name, version, wheel, sha256, files, lines, bytes of each pin
#
# Re-running is cheap and needs no network once every wheel is in dist/: the wheels are
# hashed again, each src/ project is compared with its wheel's list of .py files (names and
# sizes) and unpacked again only if it differs, and src/ entries that are not a current pin
# are removed, so that src/ always holds exactly the pinned corpus.
#
# Environment:
#   LW_CORPUS          the cache directory (default: $HOME/.cache/loopwarden-corpus)
#   LW_CORPUS_LIST     the pin list (default: corpus.txt beside this script)
#   LW_CORPUS_SHA256   the wheel hashes (default: corpus.sha256 beside this script)
#   PYTHON             the python3 to run, with pip for downloads (default: python3)
set -euo pipefail

kit=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${LW_CORPUS:-$HOME/.cache/loopwarden-corpus}
pins=${LW_CORPUS_LIST:-$kit/corpus.txt}
sums=${LW_CORPUS_SHA256:-$kit/corpus.sha256}
python=${PYTHON:-python3}

case "${1:-}" in
  --print-root)
    echo "$cache/src"
    exit 0
    ;;
  -h | --help)
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  "") ;;
  *)
    echo "fetch-corpus: unknown argument '$1' (try --help)" >&2
    exit 2
    ;;
esac

command -v "$python" >/dev/null 2>&1 || { echo "fetch-corpus: '$python' not found; set PYTHON" >&2; exit 2; }
[[ -f "$pins" ]] || { echo "fetch-corpus: no pin list at $pins" >&2; exit 2; }
mkdir -p "$cache/dist" "$cache/src"

exec "$python" - "$pins" "$sums" "$cache" "$python" <<'PY'
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile

pins_path, sums_path, cache, python = sys.argv[1:5]
dist = os.path.join(cache, "dist")
src = os.path.join(cache, "src")

# The one target every machine downloads for. Compiled projects publish one wheel per
# platform, but the .py files inside are the same; fixing the target fixes the file, so
# its hash can be pinned. The manylinux tags cover the glibc baselines the pinned wheels
# are built for (litellm ships manylinux_2_28 only, websockets manylinux1/2_5 as well).
TARGET = [
    "--implementation", "cp", "--python-version", "3.13",
    "--platform", "manylinux_2_28_x86_64", "--platform", "manylinux_2_17_x86_64",
    "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_5_x86_64",
    "--platform", "manylinux1_x86_64",
]


def say(message):
    print(f"fetch-corpus: {message}", file=sys.stderr, flush=True)


def fail(message):
    say(f"error: {message}")
    sys.exit(1)


def key(name, version):
    """A project as wheel file names spell it (PEP 427 escapes - and . in the name as _)."""
    return re.sub(r"[-_.]+", "_", name).lower(), version


def wheel_key(filename):
    name, version = filename.split("-")[:2]
    return key(name, version)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the pins and their hashes ------------------------------------------------------------
pins = []
for number, raw in enumerate(open(pins_path, encoding="utf-8"), 1):
    line = raw.split("#", 1)[0].strip()
    if not line:
        continue
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([A-Za-z0-9.+!_-]+)", line)
    if not match:
        fail(f"{pins_path}:{number}: expected name==version, found {line!r}")
    pins.append((match[1], match[2]))
if not pins:
    fail(f"{pins_path} pins nothing")

hashes = {}  # wheel file name -> sha256, from corpus.sha256 (sha256sum's format)
if os.path.isfile(sums_path):
    for number, raw in enumerate(open(sums_path, encoding="utf-8"), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = raw.split()
        if len(fields) != 2 or not re.fullmatch(r"[0-9a-f]{64}", fields[0]):
            fail(f"{sums_path}:{number}: expected 'SHA256  WHEEL', found {raw.strip()!r}")
        hashes[fields[1].lstrip("*")] = fields[0]
else:
    say(f"warning: no {sums_path}; the wheels cannot be verified")
pinned_wheel = {wheel_key(name): name for name in hashes}


def wheel_for(pin, folder):
    """The wheel of a pin in folder: the one corpus.sha256 names, else any for name==version."""
    wanted = key(*pin)
    if wanted in pinned_wheel:
        name = pinned_wheel[wanted]
        return name if os.path.isfile(os.path.join(folder, name)) else None
    found = sorted(f for f in os.listdir(folder) if f.endswith(".whl") and wheel_key(f) == wanted)
    return found[0] if found else None


def check_hash(folder, wheel):
    actual = sha256_of(os.path.join(folder, wheel))
    expected = hashes.get(wheel)
    if expected is None:
        say(f"warning: {wheel} is not in {sums_path}; if it is the right file, add this line:")
        print(f"{actual}  {wheel}", file=sys.stderr)
    elif actual != expected:
        return actual, False
    return actual, True


# --- download the missing wheels ----------------------------------------------------------
missing = [pin for pin in pins if wheel_for(pin, dist) is None]
if missing:
    incoming = os.path.join(cache, "incoming")
    shutil.rmtree(incoming, ignore_errors=True)
    os.makedirs(incoming)
    say(f"downloading {len(missing)} wheel(s) from PyPI: " + " ".join(f"{n}=={v}" for n, v in missing))
    command = [
        python, "-m", "pip", "download", "--disable-pip-version-check", "--progress-bar", "off",
        "--no-deps", "--only-binary", ":all:", *TARGET,
        # The target is fixed, so Requires-Python says nothing about this machine, and no
        # one Python suits every pin: homeassistant wants >=3.14.2, open-webui <3.13.
        "--ignore-requires-python",
        "--dest", incoming,
        *(f"{n}=={v}" for n, v in missing),
    ]
    if subprocess.call(command, stdin=subprocess.DEVNULL, stdout=sys.stderr) != 0:
        fail("pip download failed: is PyPI reachable, and does every pin exist as a wheel?")
    for pin in missing:
        wheel = wheel_for(pin, incoming)
        if wheel is None:
            fail(f"pip downloaded no wheel for {pin[0]}=={pin[1]} that {sums_path} expects "
                 f"(got: {', '.join(sorted(os.listdir(incoming))) or 'nothing'})")
        actual, ok = check_hash(incoming, wheel)
        if not ok:
            fail(f"{wheel} downloaded with sha256 {actual}, but {sums_path} says {hashes[wheel]}; "
                 f"it was not kept (left in {incoming})")
        os.replace(os.path.join(incoming, wheel), os.path.join(dist, wheel))
    shutil.rmtree(incoming, ignore_errors=True)

# --- verify every wheel, unpack its .py files ---------------------------------------------
def py_members(archive):
    """The wheel's .py files as {relative path: size}, leaving out its .dist-info metadata."""
    members = {}
    for info in archive.infolist():
        name = info.filename
        parts = name.split("/")
        if info.is_dir() or not name.endswith(".py"):
            continue
        if name.startswith("/") or ".." in parts or "\\" in name:
            fail(f"{archive.filename}: unsafe path in the wheel: {name!r}")
        if parts[0].endswith(".dist-info"):
            continue
        members[name] = info
    return members


def on_disk(folder):
    files = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            files[os.path.relpath(path, folder).replace(os.sep, "/")] = os.path.getsize(path)
    return files


rows = []
keep = set()
for name, version in pins:
    wheel = wheel_for((name, version), dist)
    actual, ok = check_hash(dist, wheel)
    if not ok:
        fail(f"{os.path.join(dist, wheel)} has sha256 {actual}, but {sums_path} says "
             f"{hashes[wheel]}; delete it and run this script again")
    project = "-".join(key(name, version))
    keep.add(project)
    target = os.path.join(src, project)
    with zipfile.ZipFile(os.path.join(dist, wheel)) as archive:
        members = py_members(archive)
        expected = {path: info.file_size for path, info in members.items()}
        if not os.path.isdir(target) or on_disk(target) != expected:
            partial = target + ".partial"
            shutil.rmtree(partial, ignore_errors=True)
            for path, info in members.items():
                out = os.path.join(partial, *path.split("/"))
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with archive.open(info) as data, open(out, "wb") as copy:
                    shutil.copyfileobj(data, copy)
            os.makedirs(partial, exist_ok=True)  # a wheel with no .py file still gets its folder
            shutil.rmtree(target, ignore_errors=True)
            os.rename(partial, target)  # the folder appears only once it is complete
            say(f"unpacked {len(members)} .py files of {wheel} into src/{project}")
    rows.append([name, version, wheel, actual, project])

for entry in sorted(os.listdir(src)):
    if entry not in keep:  # an old pin, or an unpack that was interrupted
        path = os.path.join(src, entry)
        shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
        say(f"removed src/{entry}: not a current pin")

# --- count, digest, report ----------------------------------------------------------------
# The digest covers every file under src/, in the order of (directory, file name) with paths
# relative to src/: for each file, its path, a NUL byte, and the sha256 of its content.
tree = []
for directory, _, names in os.walk(src):
    relative = os.path.relpath(directory, src).replace(os.sep, "/")
    relative = "" if relative == "." else relative
    tree += [(relative, name) for name in names]
tree.sort()

digest = hashlib.sha256()
per_project = {row[4]: [0, 0, 0] for row in rows}
for directory, name in tree:
    relative = f"{directory}/{name}" if directory else name
    with open(os.path.join(src, *relative.split("/")), "rb") as handle:
        content = handle.read()
    digest.update(relative.encode() + b"\0" + hashlib.sha256(content).digest())
    counts = per_project[relative.split("/")[0]]
    counts[0] += 1
    counts[1] += content.count(b"\n")  # lines as `wc -l` counts them
    counts[2] += len(content)

with open(os.path.join(cache, "manifest.tsv"), "w", encoding="utf-8") as manifest:
    manifest.write("name\tversion\twheel\tsha256\tfiles\tlines\tbytes\n")
    for name, version, wheel, sha, project in rows:
        manifest.write("\t".join(map(str, [name, version, wheel, sha, *per_project[project]])) + "\n")

print(f"{'project':<16} {'version':<11} {'files':>7} {'lines':>11} {'MB':>7}")
for name, version, _, _, project in rows:
    files, lines, size = per_project[project]
    print(f"{name:<16} {version:<11} {files:>7,} {lines:>11,} {size / 1e6:>7.1f}")
files, lines, size = (sum(c[i] for c in per_project.values()) for i in range(3))
print(f"{'total':<16} {f'{len(rows)} pins':<11} {files:>7,} {lines:>11,} {size / 1e6:>7.1f}")
print()
print(f"root:   {src}")
print(f"total:  {files:,} files, {lines:,} lines, {size / 1e6:.1f} MB")
print(f"digest: {digest.hexdigest()}")
PY
