"""Lighthouse scores and gzip transfer size of every page (``make lighthouse``; not a test).

An observation of this machine, nothing asserted (the aim, issue 16: performance
≥ 80, accessibility, best practices and SEO ≥ 95).  The built site (``make book``
first) is served on 127.0.0.1 by a small server that gzips text responses, as any
real web host does, so Lighthouse's transfer sizes are the gzip-compressed sizes.
Lighthouse (npm, pinned in ``benchmarks/js/package-lock.json``; installed with
``npm ci`` on first use) runs Debian's Chromium headless with its default phone
profile (emulated mobile screen, simulated slow 4G and CPU throttling).

Prints one line per page: the four category scores and the page's total transfer
(bytes over the wire, gzip) with its largest request; writes every report to
``_build/lighthouse/<page>.json`` and a summary to ``_build/lighthouse/summary.json``.

Usage: ``python benchmarks/lighthouse.py [--site _build/html] [--pages book/ch1_...html ...]``.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
JS_DIR = Path(__file__).resolve().parent / "js"
LIGHTHOUSE = JS_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GZIP_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


class GzipHandler(SimpleHTTPRequestHandler):
    """Static files; text types gzip-compressed when the client accepts it."""

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        kind = self.guess_type(str(path))
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.is_file() and kind.startswith(GZIP_TYPES)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        return io.BytesIO(body)


def ensure_lighthouse() -> Path:
    if not LIGHTHOUSE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit(
                "npm not found (apt-get install npm): needed for Lighthouse"
            )
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True)
    return LIGHTHOUSE


def default_pages(site: Path) -> list[str]:
    pages = sorted(
        p.relative_to(site).as_posix() for p in (site / "book").glob("*.html")
    )
    return sorted(pages, key=lambda p: (not p.endswith("intro.html"), p))


def run_lighthouse(url: str, report: Path) -> dict:
    command = [
        "node",
        str(ensure_lighthouse()),
        url,
        "--output=json",
        f"--output-path={report}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, check=True, env=env, timeout=600)
    return json.loads(report.read_text(encoding="utf-8"))


def summarise(name: str, result: dict) -> dict:
    scores = {
        c: round(100 * (result["categories"][c]["score"] or 0)) for c in CATEGORIES
    }
    requests = result["audits"]["network-requests"]["details"]["items"]
    largest = max(requests, key=lambda r: r.get("transferSize", 0))
    failed = [
        a["title"]
        for a in result["audits"].values()
        if a.get("score") is not None
        and a["score"] < 0.9
        and a.get("scoreDisplayMode") in ("binary", "metricSavings", "numeric")
    ]
    return {
        "page": name,
        **scores,
        "transfer_bytes": sum(r.get("transferSize", 0) for r in requests),
        "requests": len(requests),
        "largest": (
            Path(largest["url"]).name.split("?")[0],
            largest.get("transferSize", 0),
        ),
        "fcp_ms": round(result["audits"]["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(result["audits"]["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(result["audits"]["total-blocking-time"]["numericValue"]),
        "below_0.9": failed[:8],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=REPO_ROOT / "_build" / "html")
    parser.add_argument("--pages", nargs="*", help="paths relative to the site")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "_build" / "lighthouse")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"{args.site} is not a built site: run `make book` first")
    args.out.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(args.site))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    try:
        for name in args.pages or default_pages(args.site):
            report = args.out / (Path(name).stem + ".json")
            row = summarise(name, run_lighthouse(f"{base}/{name}", report))
            rows.append(row)
            print(
                f"{name:40s} perf {row['performance']:3d}  a11y {row['accessibility']:3d}  "
                f"best {row['best-practices']:3d}  seo {row['seo']:3d}  "
                f"{row['transfer_bytes'] / 1024:7.0f} KiB gzip in {row['requests']} requests "
                f"(largest {row['largest'][0]} {row['largest'][1] / 1024:.0f} KiB); "
                f"FCP {row['fcp_ms']} ms, LCP {row['lcp_ms']} ms, TBT {row['tbt_ms']} ms",
                flush=True,
            )
            if row["below_0.9"]:
                print("    below 0.9: " + "; ".join(row["below_0.9"]), flush=True)
    finally:
        server.shutdown()
        server.server_close()
    (args.out / "summary.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"Lighthouse {len(rows)} pages, phone profile; reports in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
