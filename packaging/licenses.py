#!/usr/bin/env python3
"""The licence report of every crate compiled into Baomi, produced offline from `cargo metadata`.

    python3 packaging/licenses.py            # write packaging/licenses/dependencies.md
                                             # and packaging/deb/copyright
    python3 packaging/licenses.py --check    # CI: fail on a licence outside ALLOWED, or when
                                             # the files in the repository are not up to date
    python3 packaging/licenses.py --offline  # with a vendored or filled cargo cache, no network

What counts: the crates the `baomi` package needs to build for Linux on x86_64 and on arm64
(normal and build dependencies: a build dependency such as sqlcipher-src or openssl-src brings
the C code that is compiled into the binary), not the test-only ones. Each crate's licence is its
SPDX expression from its Cargo.toml; an expression is allowed when it can be satisfied with
licences from ALLOWED (an OR needs one side, an AND both, `WITH` an exception only adds
permission). Uses no tool beyond cargo and Python's standard library, so it runs on the
isolated build machine as well.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "packaging" / "licenses" / "dependencies.md"
COPYRIGHT = ROOT / "packaging" / "deb" / "copyright"
TEXTS = ROOT / "packaging" / "licenses" / "texts"
TARGETS = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"]

# Licences a dependency may be used under: permissive ones, the weak file-level copyleft of
# MPL-2.0 (we ship its source unchanged) and the font licence. Anything else fails CI until a
# person has looked at it and added it here with a reason.
ALLOWED = {
    "MIT",
    "MIT-0",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Zlib",
    "0BSD",
    "BSL-1.0",
    "Unlicense",
    "CC0-1.0",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "MPL-2.0",
    "OFL-1.1",
    # SQLite's public-domain dedication and libtomcrypt's second licence (in sqlcipher-src).
    "blessing",
    "WTFPL",
}

# Licence texts Debian ships in /usr/share/common-licenses (referred to, not copied).
COMMON = {
    "Apache-2.0": "Apache-2.0",
    "MPL-2.0": "MPL-2.0",
    "CC0-1.0": "CC0-1.0",
    "GPL-2.0-only": "GPL-2",
}

# What is compiled in besides the Rust crates: the embedded font and the C libraries.
EMBEDDED = [
    (
        "assets/fonts/NotoSansSC_400Regular.ttf",
        "2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'",
        "OFL-1.1",
        "Noto Sans SC (Source Han Sans), embedded in the binary for the Chinese interface.",
    ),
    (
        "vendor/sqlcipher-src-*/sqlcipher/*",
        "2025 ZETETIC LLC; SQLite: public domain (D. Richard Hipp); libtomcrypt: Tom St Denis",
        "BSD-3-Clause and blessing and WTFPL",
        "SQLCipher and SQLite, compiled into the binary (the encrypted ledger database).",
    ),
    (
        "vendor/openssl-src-*/openssl/*",
        "1998-2025 The OpenSSL Project Authors; 1995-1998 Eric A. Young, Tim J. Hudson",
        "Apache-2.0",
        "OpenSSL (libcrypto only), compiled into the binary for SQLCipher's page cipher.",
    ),
]


def metadata(target: str, offline: bool) -> dict:
    cmd = [
        "cargo",
        "metadata",
        "--format-version",
        "1",
        "--locked",
        "--filter-platform",
        target,
        "--manifest-path",
        str(ROOT / "Cargo.toml"),
    ]
    if offline:
        cmd.append("--offline")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def shipped(meta: dict) -> dict[str, dict]:
    """The crates `baomi` needs (normal and build dependencies, transitively), by id."""
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]
    seen: set[str] = set()
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                stack.append(dep["pkg"])
    seen.discard(root)
    return {pid: packages[pid] for pid in seen}


# --- SPDX expressions -----------------------------------------------------------------------

TOKEN = re.compile(r"\s*(\(|\)|/|[A-Za-z0-9.+\-]+)")


def tokens(expr: str) -> list[str]:
    out, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            if expr[pos:].strip() == "":
                break
            raise ValueError(f"cannot read licence expression {expr!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


class Parser:
    """expr := term (OR term)* ; term := factor (AND factor)* ;
    factor := '(' expr ')' | ID [WITH ID]. `/` is the old spelling of OR."""

    def __init__(self, expr: str):
        self.t = tokens(expr)
        self.i = 0

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> str:
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expr(self):
        node = ["or", self.term()]
        while self.peek() in ("OR", "or", "/"):
            self.take()
            node.append(self.term())
        return node if len(node) > 2 else node[1]

    def term(self):
        node = ["and", self.factor()]
        while self.peek() in ("AND", "and"):
            self.take()
            node.append(self.factor())
        return node if len(node) > 2 else node[1]

    def factor(self):
        tok = self.take()
        if tok == "(":
            node = self.expr()
            if self.take() != ")":
                raise ValueError("unbalanced parentheses")
            return node
        if self.peek() in ("WITH", "with"):
            self.take()
            return ["with", tok, self.take()]
        return tok


def parse(expr: str):
    p = Parser(expr)
    node = p.expr()
    if p.peek() is not None:
        raise ValueError(f"trailing text in licence expression {expr!r}")
    return node


def allowed(node) -> list[str] | None:
    """The licences chosen to satisfy `node` from ALLOWED, or None when it cannot be."""
    if isinstance(node, str):
        return [node] if node in ALLOWED else None
    kind = node[0]
    if kind == "with":
        return [node[1]] if node[1] in ALLOWED else None
    if kind == "or":
        for sub in node[1:]:
            chosen = allowed(sub)
            if chosen is not None:
                return chosen
        return None
    chosen: list[str] = []
    for sub in node[1:]:
        part = allowed(sub)
        if part is None:
            return None
        chosen += part
    return chosen


def dep5(node, top: bool = True) -> str:
    """The expression in Debian copyright-format words."""
    if isinstance(node, str):
        return node
    if node[0] == "with":
        return f"{node[1]} with {node[2].removesuffix('-exception')} exception"
    words = f" {node[0]} ".join(dep5(sub, False) for sub in node[1:])
    return words if top else f"({words})"


def names(node) -> set[str]:
    if isinstance(node, str):
        return {node}
    if node[0] == "with":
        return {node[1]}
    return set().union(*(names(sub) for sub in node[1:]))


# --- the outputs -----------------------------------------------------------------------------


def crates(offline: bool) -> list[dict]:
    found: dict[tuple[str, str], dict] = {}
    for target in TARGETS:
        for p in shipped(metadata(target, offline)).values():
            found[(p["name"], p["version"])] = p
    return [found[k] for k in sorted(found)]


def report(rows: list[tuple[dict, str, list[str] | None]]) -> str:
    lines = [
        "# Licences of the crates compiled into Baomi",
        "",
        "Produced by `python3 packaging/licenses.py` from `cargo metadata` (Linux, x86_64 and",
        "arm64; normal and build dependencies). CI runs it with `--check`: a crate whose licence",
        "is outside the allowed list, or a change of dependencies without this file written again,",
        "fails. Allowed: " + ", ".join(sorted(ALLOWED)) + ".",
        "",
        "Besides the crates, the binary embeds the font Noto Sans SC (OFL-1.1) and compiles in",
        "SQLCipher/SQLite (BSD-3-Clause, public domain) and OpenSSL (Apache-2.0); see",
        "`packaging/deb/copyright`.",
        "",
        f"{len(rows)} crates.",
        "",
        "| crate | version | licence | used under |",
        "|---|---|---|---|",
    ]
    for p, expr, chosen in rows:
        used = " + ".join(chosen) if chosen else "**NOT ALLOWED**"
        lines.append(f"| {p['name']} | {p['version']} | {expr} | {used} |")
    return "\n".join(lines) + "\n"


def license_paragraph(name: str) -> str:
    if name in COMMON:
        body = (
            f" On Debian systems, the complete text of this licence can be found in\n"
            f" /usr/share/common-licenses/{COMMON[name]}."
        )
    else:
        text = (TEXTS / f"{name}.txt").read_text(encoding="utf-8").strip("\n")
        body = "\n".join(" " + line if line.strip() else " ." for line in text.splitlines())
    return f"License: {name}\n{body}\n"


def copyright_file(rows: list[tuple[dict, str, list[str] | None]]) -> str:
    parts = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: baomi\n"
        "Comment: Baomi (保密台账) is one binary. It embeds a font and compiles in SQLCipher,\n"
        " SQLite, OpenSSL and the Rust crates listed below, each under its own licence\n"
        " (generated by packaging/licenses.py from cargo metadata; Files paths name the\n"
        " folders of packaging/vendor.sh's vendor/ tree).\n",
        "Files: *\nCopyright: 2026 The Baomi developers\nLicense: MIT or Apache-2.0\n",
    ]
    used: set[str] = {"MIT", "Apache-2.0"}
    for path, holder, lic, comment in EMBEDDED:
        parts.append(f"Files: {path}\nCopyright: {holder}\nLicense: {lic}\nComment: {comment}\n")
        used |= names(parse(lic.replace(" and ", " AND ").replace(" or ", " OR ")))
    for p, expr, _chosen in rows:
        node = parse(expr)
        used |= names(node)
        authors = [a.split("<")[0].strip() for a in p.get("authors") or []]
        holder = ", ".join(a for a in authors if a) or f"the {p['name']} developers"
        parts.append(
            f"Files: vendor/{p['name']}-{p['version']}/*\n"
            f"Copyright: {holder}\n"
            f"License: {dep5(node)}\n"
        )
    for name in sorted(used):
        parts.append(license_paragraph(name))
    return "\n".join(parts)


def main() -> int:
    check = "--check" in sys.argv
    offline = "--offline" in sys.argv
    rows = []
    bad = []
    for p in crates(offline):
        expr = p.get("license")
        if not expr:
            bad.append(f"{p['name']} {p['version']}: no SPDX licence in Cargo.toml")
            rows.append((p, "(none)", None))
            continue
        chosen = allowed(parse(expr))
        if chosen is None:
            bad.append(f"{p['name']} {p['version']}: {expr}")
        rows.append((p, expr, chosen))
    text_report = report(rows)
    text_copyright = copyright_file([r for r in rows if r[2] is not None])
    if bad:
        print("Licences outside the allowed list (packaging/licenses.py, ALLOWED):")
        for line in bad:
            print("  " + line)
    if check:
        stale = [
            str(path.relative_to(ROOT))
            for path, text in ((REPORT, text_report), (COPYRIGHT, text_copyright))
            if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        if stale:
            print(
                "Not up to date with the dependencies: "
                + ", ".join(stale)
                + " (run python3 packaging/licenses.py and commit)"
            )
        if bad or stale:
            return 1
        print(f"licences: {len(rows)} crates, all allowed; report up to date")
        return 0
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text_report, encoding="utf-8")
    COPYRIGHT.write_text(text_copyright, encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)} and {COPYRIGHT.relative_to(ROOT)} ({len(rows)} crates)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
