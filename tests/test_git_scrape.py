"""The scheduled refresh (scripts/git-scrape.sh, run daily by .github/workflows/refresh.yml)
against a temporary git repository holding the project and a page served on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from pagegen import page_2025
from pytest_httpserver import HTTPServer

from tests.conftest import REPO, SNAPSHOT_2024

PAGE = "/partners.html"


def git(repo, *args) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A new git repository with the project's tracked files and the shared .venv (copy it:
    committing 17 MB once is the slow part)."""
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("git and make are needed")
    repo = tmp_path_factory.mktemp("template") / "repo"
    tracked = git(REPO, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()
    for name in tracked:
        source = REPO / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    (repo / ".venv").symlink_to((REPO / ".venv").resolve())
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "--quiet",
        "-m", "start")
    return repo


@pytest.fixture
def clone(tmp_path, template):
    """This test's own copy of ``template`` (times kept, so make sees the venv up to date)."""
    repo = tmp_path / "repo"
    shutil.copytree(template, repo, symlinks=True)
    return repo


def scrape(repo, url: str, on: str | None = "2025-01-15") -> subprocess.CompletedProcess:
    """One scheduled run. Its `make build` and `make refresh` share one reference date (``on``,
    else today), as on any real day (ARGS from the environment reaches `make build`; the script
    gives `make refresh` its own ARGS): a run with nothing new rebuilds nothing."""
    date = f"--on {on}" if on else ""
    env = {**os.environ, "ARGS": date, "REFRESH_ARGS": f"--url {url} --retries 0 {date}"}
    return subprocess.run(["bash", "scripts/git-scrape.sh"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_changed_page_is_committed_with_its_change_summary(clone, httpserver: HTTPServer):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    html = page_2025(SNAPSHOT_2024.read_text(encoding="utf-8"))
    httpserver.expect_request(PAGE).respond_with_data(html, content_type="text/html; charset=utf-8")
    url = httpserver.url_for(PAGE)

    run = scrape(clone, url)
    assert run.returncode == 0, run.stderr
    subject = git(clone, "log", "-1", "--format=%s").strip()
    assert subject == ("Partners page: 2 added, 2 removed, 5 changed: 3 renewals, 1 rename, "
                       "1 type change; 1 page correction")
    body = git(clone, "log", "-1", "--format=%b")
    assert "Kasetsart University" in body
    committed = git(clone, "show", "--name-only", "--format=", "HEAD").split()
    assert len(committed) == 3 and all(n.startswith("raw/") for n in committed)  # + index.tsv
    assert (clone / "out" / "report.html").is_file()  # built, never committed

    again = scrape(clone, url)
    assert again.returncode == 0, again.stderr
    assert "nothing to commit" in again.stdout and "up to date" in again.stdout
    assert git(clone, "rev-list", "--count", "HEAD") == "2\n"


def test_an_unreachable_site_fails_loudly_and_commits_nothing(clone, built_2024):
    shutil.copytree(built_2024, clone / "out", symlinks=True, dirs_exist_ok=True)  # last build
    before = (clone / "out" / "partners.csv").read_bytes()
    run = scrape(clone, "http://127.0.0.1:9/partners.html", on=None)
    assert run.returncode != 0
    assert "error:" in run.stderr
    assert git(clone, "rev-list", "--count", "HEAD") == "1\n"
    assert (clone / "out" / "partners.csv").read_bytes() == before
