#!/usr/bin/env python3
"""Measure how fast `loopwarden server` answers an edit, as an editor sees it.

Starts the server, opens one file, and times (wall clock, from sending the notification to
receiving the diagnostics) the first publication, which includes analysing the whole
project once, then each of a series of unsaved edits of the buffer (full-text changes,
alternately adding and removing a line that makes a finding), each answered by
re-analysing that buffer and re-linking the project. Speaks the protocol itself: only the
standard library is needed.

    scripts/lsp_latency.py --generate 1000              # a generated 1,000-module project
    scripts/lsp_latency.py --file PROJECT/pkg/module.py # a real one: edits that file
"""

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time


def generate(root, modules):
    """A package of `modules` modules, each importing the one before it and calling its
    helpers from a coroutine; the first one blocks. Returns the last module's path."""
    package = root / "generated"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for index in range(modules):
        lines = ["import asyncio", "import json", "import time"]
        if index:
            lines.append(f"from generated.m{index - 1} import helper_0 as previous")
        lines.append("")
        for helper in range(8):
            lines += [
                "",
                f"def helper_{helper}(value):",
                f"    data = json.dumps({{'value': value, 'helper': {helper}}})",
                f"    if len(data) > {helper + 10}:",
                "        return data.upper()",
            ]
            if helper == 0:
                lines.append("    return previous(value)" if index else "    time.sleep(0.1)")
            lines.append("    return data")
        lines += [
            "",
            "",
            f"class Service{index}:",
            "    def __init__(self):",
            "        self.items = {}",
            "",
            "    async def handle(self, key):",
            "        await asyncio.sleep(0)",
            "        return helper_0(key)",
            "",
        ]
        (package / f"m{index}.py").write_text("\n".join(lines))
    return package / f"m{modules - 1}.py"


class Server:
    def __init__(self, command):
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0

    def send(self, message):
        body = json.dumps(dict(message, jsonrpc="2.0")).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                sys.exit("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id and "method" not in message:
                return message.get("result")

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def diagnostics(self, uri, version):
        """Waits for the diagnostics of `uri` at `version`."""
        while True:
            message = self.receive()
            params = message.get("params") or {}
            if (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version
            ):
                return params["diagnostics"]

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="target/release/loopwarden")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--generate", type=int, metavar="MODULES")
    source.add_argument("--file", type=pathlib.Path, help="a file of a project on disk")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument(
        "--edit",
        choices=["finding", "comment", "log"],
        default="finding",
        help="what each edit adds: a coroutine with a finding (the summary changes, the "
        "project is linked again), a comment at the end (the link is re-used), or a copy of "
        "the file's first call of a method of an upper-case name (`LOGGER.debug(...)`), "
        "below it (a call the link may have done nothing with)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        path = generate(pathlib.Path(scratch), args.generate) if args.generate else args.file
        path = path.resolve()
        uri = path.as_uri()
        text = path.read_text(encoding="utf-8")
        server = Server([os.path.abspath(args.binary), "server"])
        server.request("initialize", {"processId": os.getpid(), "capabilities": {}})
        server.notify("initialized", {})

        started = time.perf_counter()
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 0, "text": text}},
        )
        found = server.diagnostics(uri, 0)
        first = time.perf_counter() - started

        if args.edit == "finding":
            changed = ("import time\n" if "import time" not in text else "") + text
            changed += "\n\nasync def edited():\n    time.sleep(1)\n"
        elif args.edit == "log":
            line = re.search(r"^[ \t]+[A-Z][A-Z0-9_]*\.\w+\(.*\)\n", text, re.MULTILINE)
            if line is None:
                sys.exit(f"{path}: no line calls a method of an upper-case name")
            changed = text[: line.end()] + line.group(0) + text[line.end() :]
        else:
            changed = text + "\n# an edit\n"
        timings = []
        for version in range(1, args.edits + 1):
            edited = changed if version % 2 else text
            started = time.perf_counter()
            server.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": edited}],
                },
            )
            server.diagnostics(uri, version)
            timings.append(time.perf_counter() - started)
        server.stop()

    milliseconds = sorted(t * 1000 for t in timings)
    print(f"file: {path.name} ({len(found)} findings when opened)")
    print(f"open (whole project analysed): {first * 1000:.0f} ms")
    print(
        f"edit -> diagnostics over {len(milliseconds)} edits: median "
        f"{statistics.median(milliseconds):.0f} ms, max {milliseconds[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
