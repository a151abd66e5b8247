"""The notebook policy of CONTRIBUTING.md, enforced.

Every chapter notebook is committed executed, top to bottom in one kernel,
with no errors; it is listed in the table of contents; its random generators
are seeded; and numbers in its prose come from cells (myst-nb ``glue``).
"""

import json
import re

import pytest
import yaml
from conftest import BOOK_DIR, REPO_ROOT

NOTEBOOKS = sorted(
    p for p in BOOK_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)


def toc_files() -> list[str]:
    """Every ``file:`` (and the root) in _toc.yml, as repository-relative paths without suffix."""
    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return files


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell) -> str:
    return "".join(cell["source"])


def ids(paths):
    return [p.relative_to(REPO_ROOT).as_posix() for p in paths]


def test_toc_and_notebooks_match():
    listed = set(toc_files())
    on_disk = {p.relative_to(REPO_ROOT).with_suffix("").as_posix() for p in NOTEBOOKS}
    assert on_disk <= listed, (
        f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"
    )
    for entry in listed:
        candidates = [REPO_ROOT / f"{entry}{suffix}" for suffix in (".ipynb", ".md")]
        assert any(c.is_file() for c in candidates), (
            f"_toc.yml lists {entry}, which does not exist"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
class TestCommittedNotebook:
    def test_executed_top_to_bottom_in_one_kernel(self, path):
        counts = [
            c["execution_count"] for c in code_cells(load(path)) if source(c).strip()
        ]
        assert counts == list(range(1, len(counts) + 1)), (
            f"execution counts are {counts}; re-run the notebook top to bottom (`make execute`)"
        )

    def test_no_error_outputs(self, path):
        for cell in code_cells(load(path)):
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", (
                    f"error output in cell:\n{source(cell)[:300]}"
                )
                if output["output_type"] == "stream" and output.get("name") == "stderr":
                    text = "".join(output["text"])
                    assert "Traceback" not in text, (
                        f"traceback on stderr in cell:\n{source(cell)[:300]}"
                    )

    def test_kernel_is_python3(self, path):
        kernelspec = load(path)["metadata"].get("kernelspec", {})
        assert kernelspec.get("name") == "python3", f"kernelspec is {kernelspec}"

    def test_random_generators_are_seeded(self, path):
        code = "\n".join(source(c) for c in code_cells(load(path)))
        unseeded = re.findall(
            r"default_rng\(\s*\)|torch\.Generator\(\)(?!\.manual_seed)", code
        )
        assert not unseeded, f"unseeded generator(s): {unseeded}"
        legacy = re.findall(
            r"np\.random\.(?:rand|randn|randint|normal|uniform|choice|shuffle|permutation)\(",
            code,
        )
        if legacy:
            assert "np.random.seed(" in code, (
                "legacy np.random calls need np.random.seed(...) first"
            )
        if re.search(
            r"\btorch\.(?:rand|randn|randint|randperm|normal)\b|\bnn\.(?:Linear|init)\b",
            code,
        ):
            assert "manual_seed(" in code, (
                "torch randomness used but torch.manual_seed(...) never called"
            )
        if re.search(r"^\s*import random\b", code, flags=re.M):
            assert "random.seed(" in code or "random.Random(" in code, (
                "the random module is used unseeded"
            )

    def test_numbers_in_prose_are_glued(self, path):
        """Decimals typed into markdown must come from a cell, except quoted published figures."""
        for cell in load(path)["cells"]:
            if cell["cell_type"] != "markdown" or "quoted-figures" in cell.get(
                "metadata", {}
            ).get("tags", []):
                continue
            text = source(cell)
            text = re.sub(r"\{glue:[a-z]*\}`[^`]*`", "", text)  # glue roles are fine
            text = re.sub(
                r"```.*?```", "", text, flags=re.S
            )  # code blocks are not prose
            typed = re.findall(r"(?<![\w{.$\\])\d+\.\d{3,}(?![\w}])", text)
            assert not typed, (
                f"numbers typed into prose: {typed}; glue them from a cell:\n{text[:300]}"
            )
