"""Print the pip option that makes ``pip install`` take PyTorch's CPU build, if it is reachable.

On Linux, ``pip install torch==X`` from PyPI is the CUDA build (several GB of NVIDIA
libraries). PyTorch publishes the CPU-only build on its own index; adding that index
makes pip choose ``X+cpu`` for the same pin. ``make venv`` calls this script:

    python tools/torch_index.py [INDEX_URL]

- prints ``--extra-index-url INDEX_URL`` when the index answers within 10 s;
- prints nothing (and a note on stderr) when it does not answer, so an offline machine,
  or one that has the wheel locally, installs from what it has instead of failing;
- prints nothing on macOS and Windows, where PyPI's torch already has no CUDA.

``make TORCH_INDEX=https://download.pytorch.org/whl/cu126 venv`` picks another build
(a GPU one); ``make TORCH_INDEX= venv`` uses PyPI's default.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

DEFAULT = "https://download.pytorch.org/whl/cpu"


def reachable(url: str, timeout: float = 10.0) -> bool:
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/torch/", timeout=timeout):
            return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else DEFAULT
    if not url or not sys.platform.startswith("linux"):
        return 0
    if reachable(url):
        print(f"--extra-index-url {url}")
    else:
        print(
            f"note: PyTorch's wheel index {url} cannot be reached; installing torch "
            "from the configured indexes (on Linux PyPI's torch is the CUDA build).",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
