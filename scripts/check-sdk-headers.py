#!/usr/bin/env python3
"""Checks that the plugin SDK's header list (cmake/PluginSDKHeaders.cmake) is closed.

The list is what `cmake --install` ships and the only include folder plugins built in this
tree see, so a listed header that includes an unlisted one breaks every plugin. Refused:
  - a listed header that does not exist;
  - a listed header that includes ("...", resolved against SRC) a header not on the list;
  - a listed header that includes <...> anything but a standard header or one of the SDK
    package's dependencies (--allow, default fmt/ and nlohmann/): no driver (sqlite3, curl),
    no server library (Boost, spdlog, libsodium);
  - an entry header (DS_PLUGIN_SDK_ENTRY_HEADERS) missing from the list, and a listed header
    no entry header reaches: the list is the closure of the entry headers, nothing more.

  scripts/check-sdk-headers.py [--src SRC] [--list PluginSDKHeaders.cmake] [--allow PREFIX ...]

Exit 0 when the list is closed; 1 with one line per problem otherwise.
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def cmake_list(text: str, name: str) -> list:
    """The items of `set(<name> ...)` in a CMake file (comments dropped)."""
    text = re.sub(r"#[^\n]*", "", text)
    m = re.search(r"\bset\(\s*" + re.escape(name) + r"\s([^)]*)\)", text)
    if not m:
        raise SystemExit(f"no set({name} ...) found")
    return m.group(1).split()


def is_standard(header: str) -> bool:
    # <string>, <cstdint>: the C++ standard library names its headers without '/' or '.'.
    return "/" not in header and "." not in header


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=pathlib.Path, default=ROOT / "src")
    parser.add_argument("--list", type=pathlib.Path, default=ROOT / "cmake" / "PluginSDKHeaders.cmake")
    parser.add_argument("--allow", nargs="+", default=["fmt/", "nlohmann/"], metavar="PREFIX")
    args = parser.parse_args()

    text = args.list.read_text(encoding="utf-8")
    listed = cmake_list(text, "DS_PLUGIN_SDK_HEADERS")
    entries = cmake_list(text, "DS_PLUGIN_SDK_ENTRY_HEADERS")
    on_list = set(listed)

    problems = []
    includes = {}  # listed header -> the listed headers it includes
    for header in listed:
        path = args.src / header
        if not path.is_file():
            problems.append(f"{args.list}: {header} is listed but {path} does not exist")
            continue
        includes[header] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, target = m.groups()
            where = f"{path}:{number}"
            if kind == "<":
                if not is_standard(target) and not any(target.startswith(p) for p in args.allow):
                    problems.append(f"{where}: SDK header {header} includes <{target}>, which is neither "
                                    f"a standard header nor an SDK dependency ({', '.join(args.allow)})")
            elif target not in on_list:
                problems.append(f"{where}: SDK header {header} includes \"{target}\", "
                                f"which is not in the SDK list")
            else:
                includes[header].append(target)

    for header in entries:
        if header not in on_list:
            problems.append(f"{args.list}: entry header {header} is not in DS_PLUGIN_SDK_HEADERS")
    reached, todo = set(), [h for h in entries if h in on_list]
    while todo:
        header = todo.pop()
        if header not in reached:
            reached.add(header)
            todo.extend(includes.get(header, []))
    for header in listed:
        if header not in reached and header in includes:
            problems.append(f"{args.list}: {header} is listed but no entry header includes it")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
