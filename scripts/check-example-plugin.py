#!/usr/bin/env python3
"""Refuses what the example plugin must not show plugin authors (docs/PLUGINS.md).

The example plugin is the one plugin authors copy, so it uses only the typed query API:
  - no SQL text: no string literal naming an SQL keyword (SELECT, INSERT, UPDATE, DELETE,
    CREATE, FROM, WHERE ..., case-insensitive), and no raw Executor call (execute, batch ...);
  - no positional row access: no subscript by a number (row[0], row.at(0)), no Result::row(i);
  - no schema version chosen by the preprocessor: EXAMPLE_SCHEMA_VERSION does not appear
    (each version is a notes.hpp of its own, picked by CMake).
The migrations (migrations/*.sql) are SQL on purpose and are not C++ sources: not read.

  scripts/check-example-plugin.py --dir plugins/example

Exit 0 when every .cpp/.hpp under DIR is clean; 1 with one line per finding otherwise.
"""
import argparse
import pathlib
import re
import sys

# Words that make a string literal SQL text. Prose in the example avoids them, which keeps
# the rule simple enough to be predictable.
SQL_WORDS = re.compile(
    r"\b(select|insert|update|delete|create|alter|drop|pragma|from|where|join|values"
    r"|order\s+by|group\s+by|on\s+conflict)\b",
    re.IGNORECASE)
RAW_CALL = re.compile(r"(\.|->)\s*(execute|execute_each|stream|batch|migration_batch)\s*\(")
SUBSCRIPT = re.compile(r"(\w+|\))\s*\[\s*\d+\s*\]")
RESULT_ROW = re.compile(r"\.\s*row\s*\(|\.\s*at\s*\(\s*\d+\s*\)")
VERSION_MACRO = re.compile(r"\bEXAMPLE_SCHEMA_VERSION\b")

# A C++ token the scan must see whole: comments, raw strings, strings, character literals.
TOKEN = re.compile(
    r"""(?P<line_comment>//[^\n]*)
      | (?P<block_comment>/\*.*?\*/)
      | (?P<raw>(?:u8|[uUL])?R"(?P<delim>[^()\\\s]{0,16})\((?P<raw_body>.*?)\)(?P=delim)")
      | (?P<string>(?:u8|[uUL])?"(?P<body>(?:\\.|[^"\\\n])*)")
      | (?P<char>(?:u8|[uUL])?'(?:\\.|[^'\\\n])+')""",
    re.VERBOSE | re.DOTALL)
INCLUDE = re.compile(r'^\s*#\s*include\s*"[^"]*"', re.MULTILINE)


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def check(path: pathlib.Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems = []
    # The code with comments and literals blanked (newlines kept, so lines still count).
    code = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if code[i] != "\n":
                code[i] = " "

    include_spans = [(m.start(), m.end()) for m in INCLUDE.finditer(text)]
    for m in TOKEN.finditer(text):
        blank(m.start(), m.end())
        body = m.group("raw_body") if m.group("raw") else m.group("body")
        if body is None or any(s <= m.start() < e for s, e in include_spans):
            continue
        word = SQL_WORDS.search(body)
        if word:
            problems.append((line_of(text, m.start()), "SQL text in a string literal "
                             f"('{word.group(0)}'): use the typed query API (db/query.hpp)"))
    code = "".join(code)
    rules = [
        (RAW_CALL, "a raw statement call: use the typed query API (db/query.hpp)"),
        (SUBSCRIPT, "positional access: read rows by field name (Row<T>)"),
        (RESULT_ROW, "positional access: read rows by field name (Row<T>)"),
        (VERSION_MACRO, "EXAMPLE_SCHEMA_VERSION: each schema version is a notes.hpp of its own"),
    ]
    for pattern, message in rules:
        for m in pattern.finditer(code):
            problems.append((line_of(code, m.start()), f"{message}: '{m.group(0).strip()}'"))
    return [f"{path}:{line}: {message}" for line, message in sorted(problems)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=pathlib.Path)
    args = parser.parse_args()

    sources = sorted(p for p in args.dir.rglob("*") if p.suffix in (".cpp", ".hpp", ".h"))
    if not sources:
        print(f"{args.dir}: no C++ sources", file=sys.stderr)
        return 1
    problems = [p for source in sources for p in check(source)]
    for problem in problems:
        print(problem)
    if problems:
        print(f"check-example-plugin: {len(problems)} finding(s) in {args.dir}", file=sys.stderr)
        return 1
    print(f"check-example-plugin: {len(sources)} sources clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
