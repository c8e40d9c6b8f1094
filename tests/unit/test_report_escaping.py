"""A hostile name in every field, screening on: every format shows it as inert text.

The hostile dossier puts an XSS and Markdown payload in every free-text field
(vendor and legal name, aliases, owners, models, assessor, notes, evidence
titles, text answers), and a deny list lists the vendor under that very name
with a hostile entry id, so the screening hit, its citation and the screening
section carry the payload too. Each check is also run on a report rendered
with the escaping removed, and must fail there: it can catch what it guards.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.cli import cli_env, run_cli
from support.markdown import check_markdown, to_html
from support.reports import CONTEXT, TODAY, XSS, hostile_dossier

from provenance_cli.assessment.pipeline import AssessOptions, assess_files
from provenance_cli.render.interface import RenderContext, get_renderer

ENTRY_ID = "D-<img src=x onerror=alert(2)>|x|"
LISTED_NAME = f"Evil {XSS}"


class Dom(HTMLParser):
    """What a browser would build: elements, attributes, the text, and the inline stylesheet."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, attrs))
        self.in_style = tag == "style"

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        (self.styles if self.in_style else self.text).append(data)


def check_inert_html(page: str) -> str:
    """No element, attribute, link or stylesheet text comes from the payload; the payload is there as text. Returns the text."""
    dom = Dom()
    dom.feed(page)
    injected = {tag for tag, _ in dom.tags} & {"script", "img", "svg", "iframe", "object", "embed", "b", "form", "input", "base"}
    assert not injected, injected
    assert [tag for tag, _ in dom.tags].count("style") == 1
    for tag, attrs in dom.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert (value or "").startswith(("http://", "https://", "#")), value
            assert "javascript:" not in (value or "").lower() or name == "title", (tag, name, value)
    stylesheet = "".join(dom.styles)
    assert "<" not in stylesheet and "</style" not in stylesheet.lower()
    text = "".join(dom.text)
    assert "window.__xss=1" in text and "<script>" in text  # shown, as text
    return text


def check_inert_markdown(markdown: str) -> str:
    """Tables keep their columns, no raw HTML, links only http(s); what a viewer shows has the payload as text only."""
    check_markdown(markdown)
    shown = to_html(markdown)
    assert "<script" not in shown and "<img" not in shown and "<svg" not in shown and 'href="javascript:' not in shown
    assert "&lt;script&gt;window.__xss=1" in shown
    return shown


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """The hostile dossier assessed with screening on, against a deny list that lists it under its hostile name."""
    folder = tmp_path_factory.mktemp("hostile")
    path = hostile_dossier(folder)
    deny = folder / "deny.yaml"
    import yaml

    deny.write_text(
        yaml.safe_dump({"entries": [{"name": LISTED_NAME, "id": ENTRY_ID, "list_date": "2026-06-01"}]}, allow_unicode=True),
        encoding="utf-8",
    )
    env = cli_env(PROVCHECK_CACHE_DIR=str(folder / "cache"), PROVCHECK_CONFIG=str(folder / "config.yaml"))
    (folder / "config.yaml").write_text("screening: {}\n", encoding="utf-8")
    done = run_cli(["lists", "update", "custom", "--url", str(deny)], folder, env=env)
    assert done.returncode == 0, done.output
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROVCHECK_CACHE_DIR", str(folder / "cache"))
        patch.setenv("PROVCHECK_CONFIG", str(folder / "config.yaml"))
        (outcome,) = assess_files([path], AssessOptions(today=TODAY, screen=True, evidence=False, offline=True), jobs=1)
    assert not outcome.problems, outcome.problems
    result = outcome.result
    assert result.screening is not None and result.screening.matches, "the deny list must list the hostile vendor"
    match = result.screening.matches[0]
    assert "<script>" in match.screened_name and match.entry_id == ENTRY_ID
    return result, folder


def test_html_with_screening_hits_is_inert(hostile):
    result, _ = hostile
    page = get_renderer("html").render(result, CONTEXT)
    text = check_inert_html(page)
    # The payload reached every part that shows it: page one's reason, the finding's hit citation, the screening table.
    assert text.count("Listed: alias <script>window.__xss=1") >= 2 and "Listed: owner Parent <script>window.__xss=1" in text
    assert "D-&lt;img src=x onerror=alert(2)&gt;|x|" in page  # the listing's id, in the trace, as text
    screening = page.split('id="screening"', 1)[1].split("<h3", 1)[0]
    assert "&lt;script&gt;window.__xss=1" in screening and "<script" not in screening
    # The running header puts the vendor name in the stylesheet, escaped for CSS.
    assert '@top-left { content: "Evil \\3c script\\3e window\\2e ' in page


def test_markdown_with_screening_hits_is_inert(hostile):
    result, _ = hostile
    markdown = get_renderer("md").render(result, CONTEXT)
    shown = check_inert_markdown(markdown)
    assert shown.count("Listed: alias &lt;script&gt;window.__xss=1") >= 2


def test_terminal_with_screening_hits_shows_markup_as_text(hostile):
    from rich.console import Console

    from provenance_cli.cli.views import show_vendor
    from provenance_cli.formats.questionnaires import load_catalogue

    result, _ = hostile
    buffer = io.StringIO()
    show_vendor(result, load_catalogue(), Console(file=buffer, width=400, no_color=True, highlight=False), all_findings=True)
    out = buffer.getvalue()
    assert "[click](javascript:window.__xss=1)" in out  # rich markup in the payload printed, not interpreted
    assert "Listed: alias <script>window.__xss=1" in out and "Listed: owner Parent <script>window.__xss=1" in out


def test_the_checks_fail_when_escaping_is_removed(hostile, tmp_path: Path):
    """The same report through a template that prints the hit's name raw, and Markdown with the payload unescaped."""
    result, _ = hostile
    unsafe = tmp_path / "templates"
    unsafe.mkdir()
    from provenance_cli.util.resources import data_dir

    macros = (data_dir("templates") / "_macros.html.j2").read_text(encoding="utf-8")
    assert "{{ h.name }}" in macros
    (unsafe / "_macros.html.j2").write_text(macros.replace("{{ h.name }}", "{{ h.name | safe }}"), encoding="utf-8")
    page = get_renderer("html").render(result, RenderContext(generated_at=CONTEXT.generated_at, template_dir=str(unsafe)))
    with pytest.raises(AssertionError):
        check_inert_html(page)

    markdown = get_renderer("md").render(result, CONTEXT)
    escaped = "Evil \\<script\\>window.\\_\\_xss=1"
    assert escaped in markdown
    with pytest.raises(AssertionError):
        check_inert_markdown(markdown.replace(escaped, "Evil <script>window.__xss=1", 1))
