"""Update a Python file by its top-level definitions, the way a lesson says "change this".

``update(old, cell)`` returns ``old`` with every top-level definition the
cell gives (an assignment such as ``INSTALLED_APPS = [...]``, a function, a
class) put in place of the file's definition of the same name, or added at
the end when the file has none. Imports the file lacks are added after its
last import. Comment lines right above a definition in the cell travel with it.
Everything else in the file stays as it was, so a lesson can show only the
setting it changes while the file keeps its other lines.

A class in the cell whose body holds a bare ``...`` line changes only the
members it gives (methods, class attributes), and the rest of the file's class
stays: a lesson can show the one method it changes::

    class RoomConsumer(AsyncWebsocketConsumer):
        ...  # the rest of the class as before

        async def disconnect(self, close_code):
            pass

Without the ``...`` line, the cell's class replaces the file's whole class.
"""

from __future__ import annotations

import ast


def _name(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _start(node: ast.stmt) -> int:
    """First line of ``node`` (1-based), counting its decorators."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _blocks(source: str) -> list[tuple[ast.stmt, list[str]]]:
    """Each top-level statement with its lines, including the comments just above it."""
    lines = source.splitlines()
    tree = ast.parse(source)
    blocks = []
    previous_end = 0
    for node in tree.body:
        first = _start(node) - 1
        while first > previous_end and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        blocks.append((node, lines[first : node.end_lineno]))
        previous_end = node.end_lineno
    return blocks


def update(old: str, cell: str) -> str:
    """``old`` with the top-level definitions and imports of ``cell`` merged in."""
    lines = old.splitlines()
    tree = ast.parse(old)
    defined = {}
    for node in tree.body:
        name = _name(node)
        if name is not None:
            defined[name] = node
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    replacements: list[tuple[int, int, list[str]]] = []  # (start, end, new lines), 0-based, end exclusive
    new_imports: list[str] = []
    appended: list[list[str]] = []
    for node, block in _blocks(cell):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            statement = "\n".join(block).strip()
            if statement not in old:
                new_imports.extend(block)
            continue
        name = _name(node)
        if name in defined and _is_partial(node) and isinstance(defined[name], ast.ClassDef):
            target = defined[name]
            replacements.append((_start(target) - 1, target.end_lineno, _merge_class(lines, target, cell, node)))
        elif name in defined:
            target = defined[name]
            start = _start(target) - 1
            if block and block[0].lstrip().startswith("#"):
                # The cell brings its own comment: it replaces the file's comment above the definition.
                while start > 0 and lines[start - 1].lstrip().startswith("#"):
                    start -= 1
            replacements.append((start, target.end_lineno, block))
        else:
            appended.append(block)
    for start, end, block in sorted(replacements, reverse=True):
        lines[start:end] = block
    if new_imports:
        at = imports[-1].end_lineno if imports else _after_docstring(tree)
        # replacements sit below the imports, so this index is still right
        lines[at:at] = new_imports
    for block in appended:
        while lines and not lines[-1].strip():
            lines.pop()
        is_code_block = any(line.startswith(("def ", "class ", "async def ")) for line in block)
        lines += ["", "", *block] if is_code_block else ["", *block]
    return "\n".join(lines).rstrip("\n") + "\n"


def _is_ellipsis(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis


def _is_partial(node: ast.stmt) -> bool:
    """A class of the cell that says "the rest as before" with a bare ``...`` line."""
    return isinstance(node, ast.ClassDef) and any(_is_ellipsis(member) for member in node.body)


def _member_lines(source_lines: list[str], members: list[ast.stmt], index: int, floor: int) -> tuple[int, int]:
    """0-based (start, end) of ``members[index]`` with its decorators and the comments just above it."""
    member = members[index]
    first = _start(member) - 1
    while first > floor and source_lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return first, member.end_lineno


def _merge_class(lines: list[str], target: ast.ClassDef, cell: str, node: ast.ClassDef) -> list[str]:
    """The file's class ``target`` with the members the cell's partial class ``node`` gives put in."""
    cell_lines = cell.splitlines()
    body_start = target.body[0].lineno - 1
    header = cell_lines[_start(node) - 1 : node.body[0].lineno - 1]
    # Drop the docstring-less header's trailing comment lines that belong to the first member.
    while header and header[-1].lstrip().startswith("#"):
        header.pop()
    merged = list(lines[body_start : target.end_lineno])
    offset = body_start  # merged[i] is the file's line offset + i
    members = {_name(member): member for member in target.body if _name(member)}
    replacements, appended = [], []
    previous_end = node.body[0].lineno - 1
    for index, member in enumerate(node.body):
        start, end = _member_lines(cell_lines, node.body, index, previous_end)
        previous_end = end
        if _is_ellipsis(member) or (isinstance(member, ast.Expr) and isinstance(member.value, ast.Constant)):
            continue  # "the rest as before", or a docstring: the file's class keeps its own
        block = cell_lines[start:end]
        name = _name(member)
        if name in members:
            position = list(target.body).index(members[name])
            old_start, old_end = _member_lines(lines, list(target.body), position, body_start)
            if not block[0].lstrip().startswith("#"):
                old_start = _start(members[name]) - 1  # the file's comment above it stays
            replacements.append((old_start - offset, old_end - offset, block))
        else:
            appended.append(block)
    for start, end, block in sorted(replacements, reverse=True):
        merged[start:end] = block
    for block in appended:
        while merged and not merged[-1].strip():
            merged.pop()
        merged += ["", *block]
    return [*lines[_start(target) - 1 : body_start], *merged] if not header else [*header, *merged]


def _after_docstring(tree: ast.Module) -> int:
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        return first.end_lineno
    return 0
