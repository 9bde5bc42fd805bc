"""import-linter contract types of our own: "layers import only the contract", and "no import cycle".

The built-in ``forbidden`` contract needs the list of forbidden modules, so a new ``listener.*``
module would escape it until someone edits the list. :class:`OnlyContractContract` states the rule
over the whole package instead: a layer may import ``listener.core`` (the contract) and nothing else
from ``listener``, and the contract imports nothing outside itself, so no chain of imports can lead a
layer into the application either. :class:`NoCycleContract` reports every import cycle between
modules. Both are registered in ``pyproject.toml`` (``[tool.importlinter] contract_types``).
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _line(graph: ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    if not details:
        return ""
    first = details[0]
    return f" (l. {first['line_number']}: {first['line_contents']})"


class OnlyContractContract(Contract):
    """The ``layers`` import nothing from ``application`` but its ``contract`` sub-package (a leaf)."""

    type_name = "only_contract"

    layers = fields.ListField(subfield=fields.StringField())
    application = fields.StringField()
    contract = fields.StringField()

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Return every import from a layer into the application, and out of the contract."""
        application, contract = str(self.application), str(self.contract)
        broken: list[str] = []
        sources = [(layer, False) for layer in self.layers] + [(contract, True)]  # type: ignore[attr-defined]
        for package, is_contract in sources:
            for module in sorted({package} | graph.find_descendants(package)):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    if not _inside(imported, application) or _inside(imported, contract):
                        continue
                    if imported == application and not is_contract:
                        continue  # the package itself (``listener/__init__.py``) is import-light
                    broken.append(f"{module} -> {imported}{_line(graph, module, imported)}")
                if is_contract:
                    broken += [f"{module} -> {imported}{_line(graph, module, imported)}"
                               for imported in sorted(graph.find_modules_directly_imported_by(module))
                               if any(_inside(imported, layer) for layer in self.layers)]  # type: ignore[attr-defined]
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """Print one line per forbidden import."""
        for line in check.metadata["broken"]:
            output.print_error(line)


class NoCycleContract(Contract):
    """No module of ``packages`` reaches itself through its imports (lazy imports included)."""

    type_name = "no_cycle"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        """Return one cycle per strongly connected group of modules (Tarjan's algorithm)."""
        modules = sorted(m for p in self.packages for m in {p} | graph.find_descendants(p))  # type: ignore[attr-defined]
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        cycles: list[str] = []

        def edges(module: str) -> list[str]:
            # A package importing its own sub-modules (``__init__`` re-exports) is not a cycle to fix.
            return sorted(m for m in graph.find_modules_directly_imported_by(module)
                          if m in index or m in set(modules))

        def visit(root: str) -> None:
            work = [(root, iter(edges(root)))]
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                child = next(children, None)
                if child is not None:
                    if child not in index:
                        index[child] = low[child] = len(index)
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(edges(child))))
                    elif child in on_stack:
                        low[node] = min(low[node], index[child])
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        cycles.append(" <-> ".join(sorted(group)))

        for module in modules:
            if module not in index:
                visit(module)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        """Print each cycle's modules."""
        for line in check.metadata["cycles"]:
            output.print_error(line)
