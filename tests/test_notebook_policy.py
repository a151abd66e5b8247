"""The notebook policy of CONTRIBUTING.md, enforced.

Every chapter notebook is committed executed, top to bottom in one kernel,
with no errors; it is listed in the table of contents; it starts with the one
set-up call (``setup_chapter``) and its random generators are seeded; and
numbers in its prose come from cells (myst-nb ``glue``).

``notebook_path`` runs a test once per notebook of the book, ``chapter_path`` once
per chapter (every notebook but the intro; tests/conftest.py).
"""

import json
import re

import yaml

SETUP_CALL = re.compile(r"^SEED = setup_chapter\(", flags=re.M)


def toc_files(repo_root) -> list[str]:
    """Every ``file:`` (and the root) in _toc.yml, as repository-relative paths without suffix."""
    toc = yaml.safe_load((repo_root / "_toc.yml").read_text())
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


def test_toc_and_notebooks_match(repo_root, book_notebooks):
    listed = set(toc_files(repo_root))
    on_disk = {
        p.relative_to(repo_root).with_suffix("").as_posix() for p in book_notebooks
    }
    assert on_disk <= listed, (
        f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"
    )
    for entry in listed:
        candidates = [repo_root / f"{entry}{suffix}" for suffix in (".ipynb", ".md")]
        assert any(c.is_file() for c in candidates), (
            f"_toc.yml lists {entry}, which does not exist"
        )


#: The first code cell of every chapter: on Colab (no book package) it installs it.
INSTALL_GUARD = 'if importlib.util.find_spec("sigmoidbook") is None:'


def test_chapter_starts_with_the_one_set_up_call(chapter_path):
    """The install guard for Colab, then ``SEED = setup_chapter(seed=...)`` once, in the
    next code cell; the style, seeds and threads it sets are not set up by hand."""
    cells = [source(c) for c in code_cells(load(chapter_path))]
    imports_the_book = re.search(r"^\s*(from|import) sigmoidbook", cells[0], flags=re.M)
    assert INSTALL_GUARD in cells[0] and not imports_the_book, (
        "the first code cell must be the install guard for Colab (tests/test_colab.py), "
        "importing nothing from the book"
    )
    calls = [i for i, text in enumerate(cells) if "setup_chapter(" in text]
    assert calls == [1] and SETUP_CALL.search(cells[1]), (
        "the code cell after the install guard must hold the one set-up line "
        f"`SEED = setup_chapter(seed=0)` (found setup_chapter in code cells {calls})"
    )
    by_hand = re.findall(
        r"use_book_style\(|threadpool_limits\(|set_num_threads\("
        r"|(?:OPENBLAS|OMP|MKL)_NUM_THREADS",
        "\n".join(cells),
    )
    assert not by_hand, f"set up by hand beside setup_chapter: {by_hand}"


class TestCommittedNotebook:
    def test_executed_top_to_bottom_in_one_kernel(self, notebook_path):
        counts = [
            c["execution_count"]
            for c in code_cells(load(notebook_path))
            if source(c).strip()
        ]
        assert counts == list(range(1, len(counts) + 1)), (
            f"execution counts are {counts}; re-run the notebook top to bottom (`make execute`)"
        )

    def test_no_error_outputs(self, notebook_path):
        for cell in code_cells(load(notebook_path)):
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", (
                    f"error output in cell:\n{source(cell)[:300]}"
                )
                if output["output_type"] == "stream" and output.get("name") == "stderr":
                    text = "".join(output["text"])
                    assert "Traceback" not in text, (
                        f"traceback on stderr in cell:\n{source(cell)[:300]}"
                    )

    def test_kernel_is_python3(self, notebook_path):
        kernelspec = load(notebook_path)["metadata"].get("kernelspec", {})
        assert kernelspec.get("name") == "python3", f"kernelspec is {kernelspec}"

    def test_random_generators_are_seeded(self, notebook_path):
        """``setup_chapter`` seeds random, np.random and (if imported before it) torch."""
        code = "\n".join(source(c) for c in code_cells(load(notebook_path)))
        unseeded = re.findall(
            r"default_rng\(\s*\)|torch\.Generator\(\)(?!\.manual_seed)", code
        )
        assert not unseeded, f"unseeded generator(s): {unseeded}"
        setup = SETUP_CALL.search(code)
        before_setup = code[: setup.start()] if setup else ""
        legacy = re.findall(
            r"np\.random\.(?:rand|randn|randint|normal|uniform|choice|shuffle|permutation)\(",
            code,
        )
        if legacy:
            assert setup or "np.random.seed(" in code, (
                "legacy np.random calls need setup_chapter(...) or np.random.seed(...) first"
            )
        if re.search(
            r"\btorch\.(?:rand|randn|randint|randperm|normal)\b|\bnn\.(?:Linear|init)\b",
            code,
        ):
            torch_seeded_by_setup = re.search(
                r"^\s*import torch\b", before_setup, flags=re.M
            )
            assert torch_seeded_by_setup or "manual_seed(" in code, (
                "torch randomness used, but torch is imported after setup_chapter "
                "(which seeds torch only if it is already imported) and "
                "torch.manual_seed(...) is never called"
            )
        if re.search(r"^\s*import random\b", code, flags=re.M):
            assert setup or "random.seed(" in code or "random.Random(" in code, (
                "the random module is used unseeded"
            )

    def test_numbers_in_prose_are_glued(self, notebook_path):
        """Decimals typed into markdown must come from a cell, except quoted published figures."""
        for cell in load(notebook_path)["cells"]:
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
