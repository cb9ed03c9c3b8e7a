#!/usr/bin/env python3
"""Refuses an #include that points up the layer order (docs/ARCHITECTURE.md).

Every source file lives in src/<layer>/ (src/main.cpp sits above them all) and may include
headers of its own layer and of the layers below it, never above. A layer may also be
forbidden some system headers (the HTTP API layer is Beast-free: --forbid http=boost/).

  scripts/check-layers.py --src SRC --layers core db ... [--forbid LAYER=PREFIX ...]

Exit 0 when every include points down; 1 with one line per offending include otherwise.
"""
import argparse
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", required=True, type=pathlib.Path)
    parser.add_argument("--layers", required=True, nargs="+", help="bottom first")
    parser.add_argument("--forbid", action="append", default=[], metavar="LAYER=PREFIX")
    args = parser.parse_args()

    rank = {layer: i for i, layer in enumerate(args.layers)}
    forbidden = {}
    for rule in args.forbid:
        layer, _, prefix = rule.partition("=")
        forbidden.setdefault(layer, []).append(prefix)

    problems = []
    for path in sorted(args.src.rglob("*")):
        if path.suffix not in (".hpp", ".cpp", ".h"):
            continue
        rel = path.relative_to(args.src)
        if rel.parts[0] == "main.cpp" and len(rel.parts) == 1:
            layer, own = None, len(args.layers)  # main: above every layer
        elif rel.parts[0] in rank and len(rel.parts) > 1:
            layer, own = rel.parts[0], rank[rel.parts[0]]
        else:
            problems.append(f"{path}: not in a layer's folder ({', '.join(args.layers)})")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, target = m.groups()
            if kind == "<":
                for prefix in forbidden.get(layer, []):
                    if target.startswith(prefix):
                        problems.append(f"{path}:{number}: {layer} may not include <{target}>")
                continue
            top = target.split("/", 1)[0]
            if top not in rank:
                problems.append(f"{path}:{number}: \"{target}\" is not under a layer's folder")
            elif rank[top] > own:
                problems.append(f"{path}:{number}: {layer or 'main'} includes {target}, "
                                f"a layer above it ({' -> '.join(args.layers)})")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
