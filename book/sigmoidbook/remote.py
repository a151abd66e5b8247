"""The book's files for a chapter opened on its own (Colab, or a notebook downloaded alone).

In the repository, in Binder and in a student's zip, a chapter finds its quiz and the
MNIST files next to it and nothing here is used. A notebook opened on its own has
neither; :func:`book_file` then downloads the file once, from the book's repository at
the branch the website is built from, into a per-user cache, and returns its path. What
is downloaded is checked: MNIST against its SHA-256 sums (:mod:`sigmoidbook.data`), a
quiz by parsing it.

``SIGMOIDBOOK_FILES`` overrides where files come from (a URL ending in ``/book/``, or a
local folder: the tests point it at a checkout); ``SIGMOIDBOOK_CACHE`` overrides where
they are kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

__all__ = ["FILES_URL", "book_file", "cache_dir", "files_source"]

#: The repository and branch the website is built from (``_config.yml``).
FILES_URL = "https://raw.githubusercontent.com/sigmoid-book/sigmoid-book/main/book/"


def files_source() -> str:
    """Where missing book files come from: ``$SIGMOIDBOOK_FILES`` or :data:`FILES_URL`."""
    source = os.environ.get("SIGMOIDBOOK_FILES", FILES_URL)
    if "://" not in source:  # a local folder
        source = Path(source).resolve().as_uri()
    return source.rstrip("/") + "/"


def cache_dir() -> Path:
    """Where downloaded book files are kept: ``$SIGMOIDBOOK_CACHE`` or ``~/.cache/sigmoidbook``."""
    default = (
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sigmoidbook"
    )
    return Path(os.environ.get("SIGMOIDBOOK_CACHE", default))


def book_file(relative: str, *, here: Path | None = None) -> Path:
    """The path of ``book/<relative>``: next to the notebook if it is there, else downloaded.

    ``relative`` is a path like ``"quizzes/ch1_sigmoid_derivative.json"``. Looks in
    ``here`` (default: the current folder, where Jupyter runs a notebook), then in the
    cache; downloads into the cache only when neither has it. Raises ``ConnectionError``
    with what to do when the download fails (for example offline).
    """
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        raise ValueError(f"relative must be a path inside the book, got {relative!r}")
    local = (here or Path.cwd()) / relative
    if local.exists():
        return local
    cached = cache_dir() / relative
    if cached.exists():
        return cached
    url = files_source() + urllib.parse.quote(Path(relative).as_posix())
    cached.parent.mkdir(parents=True, exist_ok=True)
    # Into a file of its own first: an interrupted download never looks like the file.
    handle, name = tempfile.mkstemp(
        dir=cached.parent, prefix=cached.name, suffix=".part"
    )
    partial = Path(name)
    try:
        with (
            os.fdopen(handle, "wb") as out,
            urllib.request.urlopen(url, timeout=60) as response,
        ):
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as err:
        partial.unlink(missing_ok=True)
        raise ConnectionError(
            f"{relative} is not next to this notebook and could not be downloaded from "
            f"{url} ({err}). Connect to the internet and run the cell again, or open the "
            "notebook inside the book's repository, where the file is."
        ) from None
    partial.replace(cached)
    return cached
