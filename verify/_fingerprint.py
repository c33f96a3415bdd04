"""What determines a cell besides its sizes and seeds: the code that computes it and the
versions of the libraries it runs on.

The code fingerprint of a module is a hash of its code and of the code of every project
module it imports, transitively (found by reading ``import`` statements, not by
running them). Importing ``pkg.sub`` counts ``pkg/sub.py`` only: a package's
``__init__`` re-exports names and joins the closure only when something imports from the
package itself (``from synth import X``). So editing one claim's module recomputes that
claim's cells and leaves the others alone, while editing ``theory`` recomputes everything
that uses it. "Code" is the syntax tree without docstrings: comments, docstrings and
formatting cannot change a number, so editing them recomputes nothing.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import platform
from importlib import metadata
from pathlib import Path

#: The packages whose code can determine a cell (``figures`` never computes one).
PACKAGES = ("theory", "synth", "verify")

#: Libraries whose versions can change a cell's numbers.
LIBRARIES = ("numpy", "scipy", "jax", "jaxlib", "optax")


def _source(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _is_ours(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


@functools.cache
def direct_imports(module: str) -> frozenset[str]:
    """Project modules that ``module``'s source imports (absolute imports only)."""
    path = _source(module)
    if path is None:
        raise ValueError(f"{module}: no Python source found")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if _is_ours(a.name))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not _is_ours(node.module):
                continue
            found.add(node.module)
            for alias in node.names:  # ``from verify import _cli`` imports a module
                sub = f"{node.module}.{alias.name}"
                if _source(sub) is not None:
                    found.add(sub)
    found.discard(module)
    return frozenset(found)


@functools.cache
def module_closure(module: str) -> tuple[str, ...]:
    """``module`` and every project module it imports, transitively, sorted."""
    seen = {module}
    todo = [module]
    while todo:
        for dep in direct_imports(todo.pop()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return tuple(sorted(seen))


_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


@functools.cache
def _code(path: Path) -> bytes:
    """``path``'s syntax tree with docstrings removed, as text (comments are not in it)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, _DOCUMENTED) and ast.get_docstring(node, clean=False) is not None:
            node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False).encode()


@functools.cache
def code_fingerprint(module: str) -> str:
    """A hash of the code of :func:`module_closure` (module names included)."""
    digest = hashlib.sha256()
    for name in module_closure(module):
        path = _source(name)
        assert path is not None  # module_closure only keeps modules with a source
        digest.update(name.encode() + b"\0" + _code(path) + b"\0")
    return digest.hexdigest()[:20]


@functools.cache
def library_versions() -> dict[str, str]:
    """Python's version and those of :data:`LIBRARIES`."""
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found
