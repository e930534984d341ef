"""`loopwarden server` driven by a real LSP client (pytest-lsp, on pygls), as an editor
drives it: the release binary over stdio, on a small project written for the test.

The buffer under test calls into a module that is never opened (an LW103 chain through
it), creates a coroutine it never awaits (LW302, which has a safe fix) after non-ASCII
text on the same line (columns are UTF-16), and is edited without being saved.
"""

import asyncio
import os
import pathlib
import tempfile

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

BINARY = os.environ["LOOPWARDEN_BIN"]

DB = '''import sqlite3


def fetch_user(user_id):
    con = sqlite3.connect("app.db")
    return con.execute("SELECT 1").fetchone()
'''

ON_DISK = '''async def handler(user_id):
    return user_id
'''

BUFFER = '''from shop.db import fetch_user


async def refresh():
    pass


async def handler(user_id):
    greeting = "héllo 𝄞"; refresh()
    return fetch_user(user_id)
'''


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BINARY, "server"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("neovim"))
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project():
    with tempfile.TemporaryDirectory() as directory:
        root = pathlib.Path(directory).resolve()
        (root / "shop").mkdir()
        (root / "shop" / "__init__.py").write_text("")
        (root / "shop" / "db.py").write_text(DB)
        (root / "shop" / "app.py").write_text(ON_DISK)
        yield root


async def published(client, uri):
    """Waits for the next diagnostics published for `uri` (the caller clears the last)."""
    for _ in range(600):
        if uri in client.diagnostics:
            return client.diagnostics.pop(uri)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics for {uri}")


def codes(diagnostics):
    return sorted(diagnostic.code for diagnostic in diagnostics)


def offset(text, position):
    lines = text.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for at, character in enumerate(line):
        if units >= position.character or character == "\n":
            return start + at
        units += 2 if ord(character) > 0xFFFF else 1
    return start + len(line)


def apply(text, edits):
    """Applies LSP text edits (UTF-16 columns) as an editor does."""
    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        start, end = offset(text, edit.range.start), offset(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


class Buffer:
    def __init__(self, client, uri, text):
        self.client, self.uri, self.text, self.version = client, uri, text, 1
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )

    def change(self, text):
        self.text = text
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def actions(self, diagnostic):
        return await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=self.uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )

    async def apply(self, action):
        edits = action.edit.changes[self.uri]
        self.change(apply(self.text, edits))
        return await published(self.client, self.uri)


@pytest.mark.asyncio
async def test_diagnostics_hover_and_code_actions_on_an_unsaved_buffer(client, project):
    app = project / "shop" / "app.py"
    uri = app.as_uri()
    buffer = Buffer(client, uri, BUFFER)

    # Open: the buffer's findings, with the whole project around it.
    diagnostics = await published(client, uri)
    assert codes(diagnostics) == ["LW103", "LW302"], diagnostics
    by_code = {diagnostic.code: diagnostic for diagnostic in diagnostics}
    # `    greeting = "héllo 𝄞"; ` is 27 UTF-16 units (26 code points, 30 bytes).
    assert by_code["LW302"].range.start == types.Position(line=8, character=27)
    # The chain runs through db.py, which the editor never opened.
    chain = [info.location.uri for info in by_code["LW103"].related_information]
    assert (project / "shop" / "db.py").as_uri() in chain, chain
    assert "sqlite3.connect" in by_code["LW103"].message

    # Hover over a finding: its rule's documentation.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=8, character=29),
        )
    )
    assert hover.contents.value.startswith("# LW302 unawaited-coroutine"), hover.contents.value

    # The quick fix for LW302 (safe: add `await`), applied: the finding goes.
    actions = await buffer.actions(by_code["LW302"])
    titles = [action.title for action in actions]
    fix = next(action for action in actions if action.title.startswith("LW302: ") and "noqa" not in action.title)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert "LW302: Disable for this line (`# noqa: LW302`)" in titles, titles
    assert any(action.kind == "source.fixAll.loopwarden" for action in actions), titles
    diagnostics = await buffer.apply(fix)
    assert codes(diagnostics) == ["LW103"], diagnostics
    assert 'greeting = "héllo 𝄞"; await refresh()' in buffer.text

    # An unsaved edit: the call into db.py goes, and with it the finding.
    buffer.change(buffer.text.replace("return fetch_user(user_id)", "return user_id"))
    assert codes(await published(client, uri)) == []
    buffer.change(BUFFER)
    diagnostics = await published(client, uri)
    assert codes(diagnostics) == ["LW103", "LW302"]

    # The noqa action for LW103, applied: that finding goes, the other stays.
    lw103 = next(d for d in diagnostics if d.code == "LW103")
    noqa = next(action for action in await buffer.actions(lw103) if "noqa" in action.title)
    diagnostics = await buffer.apply(noqa)
    assert codes(diagnostics) == ["LW302"], diagnostics
    assert "return fetch_user(user_id)  # noqa: LW103\n" in buffer.text

    # Nothing was written to disk: the editor saves, the server never does.
    assert app.read_text() == ON_DISK
