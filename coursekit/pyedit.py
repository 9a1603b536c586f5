"""Update a Python file by its top-level definitions, the way a lesson says "change this".

``update(old, cell)`` returns ``old`` with every top-level definition the
cell gives (an assignment such as ``INSTALLED_APPS = [...]``, a function, a
class) put in place of the file's definition of the same name, or added at
the end when the file has none. Imports the file lacks are added after its
last import. Comment lines right above a definition in the cell travel with it.
Everything else in the file stays as it was, so a lesson can show only the
setting it changes while the file keeps its other lines.
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
        if name in defined:
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


def _after_docstring(tree: ast.Module) -> int:
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        return first.end_lineno
    return 0
