"""``exercises/`` is generated from ``solutions/``: one file holds the solution and the exercise.

A solution file marks what the exercise replaces, nbgrader style, with comment
lines, so it stays a valid, runnable Python file::

    def make_message(text: str) -> str:
        \"\"\"The JSON text a client sends to say ``text``.\"\"\"
        ### BEGIN SOLUTION
        return json.dumps({"message": text})
        ### EXERCISE
        # # TODO: return the JSON text of {"message": text}
        # raise NotImplementedError("make_message is not written yet")
        ### END SOLUTION

Between ``### BEGIN SOLUTION`` and ``### EXERCISE`` is the solution's text;
between ``### EXERCISE`` and ``### END SOLUTION``, the exercise's, each line
commented out at the markers' indentation (``# `` before the text, a lone
``#`` for an empty line). Without ``### EXERCISE`` the region is simply left
out of the exercise. The three markers of a region share one indentation, and
the module docstring is a region like any other: the solution's docstring
("Solution to exercise NN …"), then the exercise's instructions.

A single line that differs can say so at its end instead (an import, mostly,
where a region would split the import block)::

    import json  ### EXERCISE: import json  # noqa: F401  (you will need it)

The exercise has the text after ``### EXERCISE: `` there, at the line's indentation.

``python -m coursekit.exercise_files`` writes ``exercises/`` from ``solutions/``;
``--check`` changes nothing and fails when a committed exercise differs from
what its solution generates.
"""

from __future__ import annotations

import argparse
import io
import sys
import tokenize
from pathlib import Path

from . import paths

BEGIN, EXERCISE, END = "### BEGIN SOLUTION", "### EXERCISE", "### END SOLUTION"
INSTEAD = "### EXERCISE: "  # at the end of a line: the exercise's line instead of this one


class MarkerError(ValueError):
    """A solution file whose markers cannot be read; the message names the file's line."""


def comments(text: str) -> tuple[set[int], dict[int, tuple[int, str]]]:
    """The lines that hold only a comment, and the comments at the end of a line (column, text).

    Read with the tokenizer, so text that looks like a marker inside a string is no marker.
    """
    alone, trailing = set(), {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                continue
            if token.line[:token.start[1]].strip():
                trailing[token.start[0]] = (token.start[1], token.string)
            else:
                alone.add(token.start[0])
    except (tokenize.TokenError, SyntaxError) as error:
        raise MarkerError(f"the solution is not valid Python: {error}") from None
    return alone, trailing


def exercise_text(solution: str) -> str:
    """The exercise generated from the text of a solution file."""
    alone, trailing = comments(solution)
    out: list[str] = []
    state, indent, opened = "code", "", 0
    for number, line in enumerate(solution.splitlines(keepends=True), 1):
        stripped = line.strip()
        marker = stripped if stripped.startswith("### ") and number in alone else None
        instead = trailing.get(number, (0, ""))[1]
        if marker is not None and marker not in (BEGIN, EXERCISE, END):
            raise MarkerError(f"line {number}: unknown marker {marker!r}; the markers are {BEGIN}, {EXERCISE}, {END}")
        if instead.startswith("###") and not instead.startswith(INSTEAD):
            raise MarkerError(f"line {number}: unknown marker {instead!r} at the end of a line; "
                              f"the one there is {INSTEAD.strip()} followed by the exercise's line")
        if marker is not None:
            margin = line[:len(line) - len(line.lstrip())]
            expected = {"code": (BEGIN,), "solution": (EXERCISE, END), "exercise": (END,)}[state]
            if marker not in expected:
                raise MarkerError(f"line {number}: {marker} where {' or '.join(expected)} was expected"
                                  + (f" (the region opened on line {opened})" if state != "code" else ""))
            if marker == BEGIN:
                state, indent, opened = "solution", margin, number
            else:
                if margin != indent:
                    raise MarkerError(f"line {number}: {marker} is not indented as {BEGIN} on line {opened}")
                state = "exercise" if marker == EXERCISE else "code"
        elif instead.startswith(INSTEAD):
            if state != "code":
                raise MarkerError(f"line {number}: {INSTEAD.strip()} at the end of a line inside a region")
            margin = line[:len(line) - len(line.lstrip())]
            out.append(margin + instead[len(INSTEAD):] + line[len(line.rstrip("\r\n")):])
        elif state == "code":
            out.append(line)
        elif state == "exercise":
            out.append(uncommented(line, indent, number))
    if state != "code":
        raise MarkerError(f"the region opened on line {opened} has no {END}")
    return "".join(out)


def uncommented(line: str, indent: str, number: int) -> str:
    """An exercise line as the exercise has it: ``indent + "# " + text`` becomes ``indent + text``."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    if body == indent + "#":
        return ending
    if not body.startswith(indent + "# "):
        raise MarkerError(f"line {number}: an exercise line is written as {indent!r} + '# ' + the line, "
                          f"or {indent!r} + '#' for an empty one")
    return indent + body[len(indent) + 2:] + ending


def generated(solutions: Path = paths.SOLUTIONS) -> dict[str, str]:
    """Every exercise file's name and text, generated from ``solutions``."""
    found = {}
    for solution in sorted(solutions.glob("[0-9][0-9]_*.py")):
        try:
            found[solution.name] = exercise_text(solution.read_text(encoding="utf-8"))
        except MarkerError as error:
            raise MarkerError(f"{solution.name}: {error}") from None
    return found


def differences(exercises: Path, solutions: Path = paths.SOLUTIONS) -> list[str]:
    """The exercise files of ``exercises`` that differ from what ``solutions`` generates (or are missing, or extra)."""
    wanted = generated(solutions)
    have = {path.name for path in exercises.glob("[0-9][0-9]_*.py")}
    problems = [f"{name} is not generated from a solution" for name in sorted(have - set(wanted))]
    for name, text in wanted.items():
        file = exercises / name
        if not file.exists():
            problems.append(f"{name} is missing")
        elif file.read_text(encoding="utf-8") != text:
            problems.append(f"{name} differs from what solutions/{name} generates")
    return problems


def write(exercises: Path, solutions: Path = paths.SOLUTIONS) -> list[str]:
    """Write every exercise file that differs from what its solution generates; the names written."""
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated(solutions).items():
        file = exercises / name
        if not file.exists() or file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")
            written.append(name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.exercise_files",
                                     description="Write exercises/ from the marked regions of solutions/.")
    parser.add_argument("--check", action="store_true", help="change nothing; fail if exercises/ is not up to date")
    parser.add_argument("--into", type=Path, default=paths.EXERCISES, help="the folder to write (default exercises/)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = differences(args.into)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print("Run `python -m coursekit.exercise_files` to write them.", file=sys.stderr)
            return 1 if problems else 0
        for name in write(args.into):
            print(f"wrote {name}")
    except MarkerError as error:
        print(f"coursekit.exercise_files: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
