"""The website builds with zero warnings (Sphinx -W -n: warnings are errors)."""

import re


def test_site_builds_without_warnings(built_site):
    html_dir, returncode, log = built_site
    warnings = [
        line for line in log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", line)
    ]
    assert returncode == 0, "jupyter-book build failed:\n" + log[-5000:]
    assert not warnings, "the build emitted warnings:\n" + "\n".join(warnings)
    assert (html_dir / "index.html").is_file()
    assert (html_dir / "book" / "intro.html").is_file()
