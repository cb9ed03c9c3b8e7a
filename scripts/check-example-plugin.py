#!/usr/bin/env python3
"""Refuses what the example plugin must not show plugin authors (docs/PLUGINS.md).

The example plugin is the one plugin authors copy, so it uses only the typed query API:
  - no SQL text: no string literal naming an SQL keyword (SELECT, INSERT, UPDATE, DELETE,
    CREATE, FROM, WHERE ..., case-insensitive), and no raw Executor call (execute, batch ...);
  - no positional row access: no subscript by a number (row[0], row.at(0)), no Result::row(i);
  - no schema version chosen by the preprocessor: EXAMPLE_SCHEMA_VERSION does not appear
    (each version is a notes.hpp of its own, picked by CMake).
The migrations (migrations/*.sql) are SQL on purpose and are not C++ sources: not read.
With --doc, the code blocks of that Markdown file marked `<!-- snippet: PATH -->` (PATH
relative to --root) must each be a verbatim run of lines of PATH, indentation aside: the
documentation shows the code as it is.

  scripts/check-example-plugin.py --dir plugins/example [--doc docs/PLUGINS.md --root .]

Exit 0 when every .cpp/.hpp under DIR is clean; 1 with one line per finding otherwise.
"""
import argparse
import pathlib
import re
import sys
import textwrap

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


SNIPPET = re.compile(r"^<!--\s*snippet:\s*(\S+)\s*-->\s*$")


def dedent(lines: list[str]) -> list[str]:
    text = textwrap.dedent("\n".join(line.rstrip() for line in lines))
    return text.split("\n")


def check_snippets(doc: pathlib.Path, root: pathlib.Path) -> tuple[list[str], int]:
    """Returns the problems and the number of snippets read."""
    problems = []
    count = 0
    lines = doc.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        m = SNIPPET.match(lines[i])
        i += 1
        if not m:
            continue
        marker = i
        if i >= len(lines) or not lines[i].startswith("```"):
            problems.append(f"{doc}:{marker}: a snippet marker must be followed by a code block")
            continue
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        block = dedent(lines[i + 1:end])
        i = end + 1
        count += 1
        source = root / m.group(1)
        if not source.is_file():
            problems.append(f"{doc}:{marker}: snippet of {m.group(1)}, which does not exist")
            continue
        code = source.read_text(encoding="utf-8").split("\n")
        if not any(dedent(code[j:j + len(block)]) == block
                   for j in range(len(code) - len(block) + 1)):
            problems.append(f"{doc}:{marker}: the snippet is not a verbatim part of "
                            f"{m.group(1)}: copy it again from the source")
    return problems, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=pathlib.Path)
    parser.add_argument("--doc", type=pathlib.Path, help="Markdown whose snippets must match")
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path("."),
                        help="what snippet paths are relative to")
    args = parser.parse_args()

    sources = sorted(p for p in args.dir.rglob("*") if p.suffix in (".cpp", ".hpp", ".h"))
    if not sources:
        print(f"{args.dir}: no C++ sources", file=sys.stderr)
        return 1
    problems = [p for source in sources for p in check(source)]
    snippets = 0
    if args.doc:
        doc_problems, snippets = check_snippets(args.doc, args.root)
        problems += doc_problems
    for problem in problems:
        print(problem)
    if problems:
        print(f"check-example-plugin: {len(problems)} finding(s) in {args.dir}", file=sys.stderr)
        return 1
    print(f"check-example-plugin: {len(sources)} sources clean, {snippets} snippets as in the source")
    return 0


if __name__ == "__main__":
    sys.exit(main())
