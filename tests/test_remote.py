"""The book's files for a chapter opened on its own (sigmoidbook.remote, data.default_data_dir).

No network: the download source is a local folder (``SIGMOIDBOOK_FILES``, turned into
a ``file://`` URL) or a closed port on 127.0.0.1; the cache (``SIGMOIDBOOK_CACHE``)
is a temporary folder.
"""

import gzip
import shutil
from pathlib import Path

import pytest
import yaml

import sigmoidbook.data
from sigmoidbook import remote
from sigmoidbook.data import MNISTDataError, default_data_dir, load_mnist

from conftest import BOOK_DIR, REPO_ROOT

QUIZ = "quizzes/ch1_sigmoid_derivative.json"
#: Nothing listens on the discard port of the loopback interface: refused at once.
UNREACHABLE = "http://127.0.0.1:9/book/"


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A folder standing in for the repository's ``book/``, holding one quiz file."""
    folder = tmp_path / "source"
    (folder / "quizzes").mkdir(parents=True)
    (folder / QUIZ).write_text('[{"question": "from the source"}]')
    monkeypatch.setenv("SIGMOIDBOOK_FILES", str(folder))
    monkeypatch.setenv("SIGMOIDBOOK_CACHE", str(tmp_path / "cache"))
    return folder


@pytest.fixture
def here(tmp_path, monkeypatch):
    """The folder the notebook runs in (the current folder), empty."""
    folder = tmp_path / "notebook"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_a_file_next_to_the_notebook_is_used_as_it_is(source, here, tmp_path):
    (here / "quizzes").mkdir()
    (here / QUIZ).write_text("local")
    assert remote.book_file(QUIZ) == here / QUIZ
    assert remote.book_file(QUIZ, here=here) == here / QUIZ
    assert not (tmp_path / "cache").exists(), "nothing should have been downloaded"


def test_a_missing_file_is_downloaded_into_the_cache(source, here, tmp_path):
    path = remote.book_file(QUIZ)
    assert path == tmp_path / "cache" / QUIZ
    assert path.read_text() == (source / QUIZ).read_text()
    assert sorted(p.name for p in path.parent.iterdir()) == [Path(QUIZ).name], (
        "the download left a partial file behind"
    )
    assert list(here.iterdir()) == [], (
        "downloads belong in the cache, not the notebook's folder"
    )


def test_the_cache_is_used_without_downloading_again(
    source, here, tmp_path, monkeypatch
):
    cached = tmp_path / "cache" / QUIZ
    cached.parent.mkdir(parents=True)
    cached.write_text("cached")
    monkeypatch.setenv("SIGMOIDBOOK_FILES", UNREACHABLE)
    assert remote.book_file(QUIZ) == cached
    assert cached.read_text() == "cached"


def test_a_file_url_source_is_used_as_given(source, here, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGMOIDBOOK_FILES", source.as_uri())  # no trailing slash
    assert remote.files_source() == source.as_uri() + "/"
    assert remote.book_file(QUIZ).read_text() == (source / QUIZ).read_text()


@pytest.mark.parametrize(
    "relative", ["", ".", "../secret.json", "quizzes/../../x", "/etc/passwd"]
)
def test_paths_outside_the_book_are_refused(source, here, relative):
    with pytest.raises(ValueError, match="a path inside the book"):
        remote.book_file(relative)


def test_an_unreachable_source_says_what_to_do(source, here, tmp_path, monkeypatch):
    monkeypatch.setenv("SIGMOIDBOOK_FILES", UNREACHABLE)
    with pytest.raises(ConnectionError) as raised:
        remote.book_file(QUIZ)
    message = str(raised.value)
    assert QUIZ in message and UNREACHABLE in message
    assert "Connect to the internet" in message
    leftovers = list((tmp_path / "cache").rglob("*.*"))
    assert leftovers == [], f"a failed download left {leftovers} in the cache"


def test_a_file_missing_at_the_source_is_a_connection_error(source, here):
    with pytest.raises(ConnectionError, match="quizzes/no_such_chapter.json"):
        remote.book_file("quizzes/no_such_chapter.json")


def test_where_files_come_from_and_go_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("SIGMOIDBOOK_FILES", raising=False)
    monkeypatch.delenv("SIGMOIDBOOK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert remote.files_source() == remote.FILES_URL
    assert remote.FILES_URL.endswith("/book/")
    assert remote.cache_dir() == tmp_path / "sigmoidbook"


# ---------------------------------------------------------------- MNIST


@pytest.fixture
def mnist_missing(tmp_path, monkeypatch, here):
    """As on Colab: the package is installed without the book's data folder."""
    monkeypatch.setattr(sigmoidbook.data, "DEFAULT_DATA_DIR", tmp_path / "missing")
    monkeypatch.setenv("SIGMOIDBOOK_FILES", str(BOOK_DIR))
    monkeypatch.setenv("SIGMOIDBOOK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "data" / "mnist"


def test_mnist_is_downloaded_once_and_loads(mnist_missing, monkeypatch):
    data_dir = default_data_dir()
    assert data_dir == mnist_missing
    book_copy = BOOK_DIR / "data" / "mnist"
    for name in [
        "SHA256SUMS",
        "t10k-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]:
        assert (data_dir / name).read_bytes() == (book_copy / name).read_bytes()
    images, labels = load_mnist("test", data_dir=data_dir)
    assert images.shape == (10_000, 784) and labels.shape == (10_000,)
    monkeypatch.setenv("SIGMOIDBOOK_FILES", UNREACHABLE)  # the second time: the cache
    assert default_data_dir() == mnist_missing


def test_a_corrupted_mnist_download_is_caught_by_its_checksum(
    mnist_missing, tmp_path, monkeypatch
):
    source = tmp_path / "corrupt"
    shutil.copytree(BOOK_DIR / "data", source / "data")
    labels = source / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(labels.read_bytes()))
    raw[-1] = (raw[-1] + 1) % 10  # one label changed: still a valid gzipped IDX file
    labels.write_bytes(gzip.compress(bytes(raw)))
    monkeypatch.setenv("SIGMOIDBOOK_FILES", str(source))
    with pytest.raises(MNISTDataError, match="SHA-256|checksum"):
        load_mnist("test", data_dir=default_data_dir())


def test_the_books_own_mnist_needs_no_download(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGMOIDBOOK_FILES", UNREACHABLE)
    monkeypatch.setenv("SIGMOIDBOOK_CACHE", str(tmp_path / "cache"))
    assert default_data_dir() == BOOK_DIR / "data" / "mnist"
    assert not (tmp_path / "cache").exists()


def test_downloads_come_from_the_repository_the_site_is_built_from():
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    repository = config["repository"]
    raw = repository["url"].replace(
        "https://github.com/", "https://raw.githubusercontent.com/"
    )
    expected = f"{raw}/{repository['branch']}/book/"
    assert expected == remote.FILES_URL
