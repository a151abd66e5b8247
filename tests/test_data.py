"""Unit tests for the checksummed MNIST loader (sigmoidbook.data).

Corruption cases use small IDX files the tests write themselves, so they run
in milliseconds; one test loads the real, committed data set.
"""

import gzip
import hashlib
import shutil

import numpy as np
import pytest

import sigmoidbook.data
from sigmoidbook.data import DEFAULT_DATA_DIR, MNISTDataError, load_mnist, read_idx

IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    """Encode a uint8 array as IDX (magic, big-endian sizes, raw bytes)."""
    header = magic.to_bytes(4, "big") + b"".join(
        n.to_bytes(4, "big") for n in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def write_split(
    folder, split="train", n=5, *, images=None, labels=None, checksums=True
):
    """Write a tiny valid split (n images of 28×28, labels 0..9) and its SHA256SUMS."""
    stem = "train" if split == "train" else "t10k"
    rng = np.random.default_rng(0)
    images = (
        rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        if images is None
        else images
    )
    labels = (np.arange(n) % 10).astype(np.uint8) if labels is None else labels
    raw = {
        f"{stem}-images-idx3-ubyte": idx_bytes(images, IMAGE_MAGIC),
        f"{stem}-labels-idx1-ubyte": idx_bytes(labels, LABEL_MAGIC),
    }
    for name, data in raw.items():
        (folder / f"{name}.gz").write_bytes(gzip.compress(data))
    if checksums:
        lines = [f"{hashlib.sha256(d).hexdigest()}  {name}" for name, d in raw.items()]
        (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    return images, labels, raw


def test_tiny_split_round_trips(tmp_path):
    images, labels, _ = write_split(tmp_path, n=7)
    x, y = load_mnist("train", data_dir=tmp_path)
    assert x.shape == (7, 784) and x.dtype == np.float32
    assert y.shape == (7,) and y.dtype == np.int64
    np.testing.assert_array_equal(x, images.reshape(7, -1) / np.float32(255))
    np.testing.assert_array_equal(y, labels)
    assert x.min() >= 0.0 and x.max() <= 1.0


def test_unflattened_shape(tmp_path):
    write_split(tmp_path, "test", n=3)
    x, _ = load_mnist("test", data_dir=tmp_path, flatten=False)
    assert x.shape == (3, 28, 28)


def test_unknown_split_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_mnist("validation", data_dir=tmp_path)


def test_missing_file_names_it(tmp_path):
    write_split(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(
        FileNotFoundError, match=r"train-labels-idx1-ubyte\.gz is missing.*git checkout"
    ):
        load_mnist("train", data_dir=tmp_path)


def test_missing_checksum_file(tmp_path):
    write_split(tmp_path, checksums=False)
    with pytest.raises(FileNotFoundError, match="SHA256SUMS is missing"):
        load_mnist("train", data_dir=tmp_path)
    # Explicitly opting out of verification still loads.
    x, _ = load_mnist("train", data_dir=tmp_path, verify=False)
    assert len(x) == 5


def test_truncated_file(tmp_path):
    write_split(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(
        MNISTDataError, match=r"train-images-idx3-ubyte\.gz is truncated"
    ):
        load_mnist("train", data_dir=tmp_path)


def test_corrupted_gzip_stream(tmp_path):
    write_split(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[-6] ^= 0xFF  # flip bits in the CRC32 trailer
    path.write_bytes(bytes(data))
    with pytest.raises(
        MNISTDataError, match=r"train-images-idx3-ubyte\.gz is corrupted"
    ):
        load_mnist("train", data_dir=tmp_path)


def test_valid_gzip_with_wrong_content_fails_checksum(tmp_path):
    _, _, raw = write_split(tmp_path)
    name = "train-images-idx3-ubyte"
    tampered = bytearray(raw[name])
    tampered[100] ^= 0x01  # a single pixel changed, still a perfectly valid file
    (tmp_path / f"{name}.gz").write_bytes(gzip.compress(bytes(tampered)))
    with pytest.raises(
        MNISTDataError, match=r"train-images-idx3-ubyte\.gz: SHA-256 .* expected"
    ):
        load_mnist("train", data_dir=tmp_path)


def test_wrong_magic_number(tmp_path):
    write_split(tmp_path)
    # Put a labels file where the images belong.
    shutil.copy(
        tmp_path / "train-labels-idx1-ubyte.gz", tmp_path / "train-images-idx3-ubyte.gz"
    )
    with pytest.raises(MNISTDataError, match="wrong magic number 2049 .expected 2051"):
        load_mnist("train", data_dir=tmp_path, verify=False)


def test_git_lfs_pointer(tmp_path):
    write_split(tmp_path)
    pointer = (
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971\n"
        "size 9912422\n"
    )
    (tmp_path / "train-images-idx3-ubyte.gz").write_text(pointer)
    with pytest.raises(MNISTDataError, match=r"Git LFS pointer.*git lfs pull"):
        load_mnist("train", data_dir=tmp_path)


def test_not_gzip(tmp_path):
    write_split(tmp_path)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(MNISTDataError, match="is not a gzip file"):
        load_mnist("train", data_dir=tmp_path)


def test_header_and_payload_disagree(tmp_path):
    good = idx_bytes(np.zeros((2, 28, 28), np.uint8), IMAGE_MAGIC)
    with pytest.raises(MNISTDataError, match="header says shape"):
        read_idx(good[:-10], expected_magic=IMAGE_MAGIC, source="x")
    with pytest.raises(MNISTDataError, match="too short"):
        read_idx(b"\x00\x00", expected_magic=IMAGE_MAGIC, source="x")


def test_image_and_label_counts_must_match(tmp_path):
    write_split(
        tmp_path, images=np.zeros((4, 28, 28), np.uint8), labels=np.zeros(3, np.uint8)
    )
    with pytest.raises(MNISTDataError, match="4 images but 3 labels"):
        load_mnist("train", data_dir=tmp_path)


def test_labels_out_of_range(tmp_path):
    write_split(tmp_path, labels=np.array([0, 1, 2, 3, 42], np.uint8))
    with pytest.raises(MNISTDataError, match="labels must be 0..9"):
        load_mnist("train", data_dir=tmp_path)


def test_a_repaired_file_is_reread(tmp_path):
    """The in-memory cache must not hide a file that changed on disk."""
    write_split(tmp_path)
    load_mnist("train", data_dir=tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(b"broken")
    with pytest.raises(MNISTDataError):
        load_mnist("train", data_dir=tmp_path)


def test_real_mnist_is_complete_and_cached_after_first_read(monkeypatch):
    x_train, y_train = load_mnist("train")
    x_test, y_test = load_mnist("test", flatten=False)
    assert x_train.shape == (60_000, 784) and y_train.shape == (60_000,)
    assert x_test.shape == (10_000, 28, 28) and y_test.shape == (10_000,)
    assert set(np.unique(y_train)) == set(range(10))
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    # Known facts of the real set: the first training label is a 5, the first test label a 7.
    assert y_train[0] == 5 and y_test[0] == 7

    # A second load must come from the in-memory cache: no decompression, no
    # checksum. (Checked by mechanism, not by wall-clock time, which a loaded
    # CI machine makes unreliable.)
    def no_reread(path):
        raise AssertionError(
            f"{path} was decompressed again instead of coming from the cache"
        )

    monkeypatch.setattr(sigmoidbook.data, "_read_gzip", no_reread)
    x_again, y_again = load_mnist("train")
    assert np.array_equal(x_again, x_train) and np.array_equal(y_again, y_train)
    assert (DEFAULT_DATA_DIR / "SHA256SUMS").is_file()
