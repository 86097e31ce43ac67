"""OB Markdown fields as safe HTML (pages) and as plain blocks (the PDF certificate)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from badgeservice.domain.markdown import LINK_REL, TextBlock, markdown_blocks, markdown_html


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_paragraphs_line_breaks_lists_and_emphasis_are_kept() -> None:
    html = markdown_html("One\ntwo\n\n- *a*\n- **b**\n\n3. c\n4. d")
    assert html == (
        "<p>One<br />\ntwo</p>\n<ul>\n<li><em>a</em></li>\n<li><strong>b</strong></li>\n</ul>\n"
        '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>\n'
    )


def test_raw_html_is_escaped_text() -> None:
    html = markdown_html('<script>alert(1)</script> <img src="x" onerror="alert(1)"> <b>x</b>')
    assert [tag for tag, _ in Tags(html).tags] == ["p"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1", "http://example.org/", "mailto:someone@example.org"]
)
def test_web_and_mail_links_are_nofollow(url: str) -> None:
    tags = Tags(markdown_html(f"[the link]({url}) and <{url}>")).tags
    assert [attrs for tag, attrs in tags if tag == "a"] == [{"href": url, "rel": LINK_REL}] * 2


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:x",
        "file:///etc/passwd",
        "/relative/page",
        "ftp://example.org/",
    ],
)
def test_other_links_stay_text(url: str) -> None:
    html = markdown_html(f"[click]({url}) <{url}>")
    assert [tag for tag, _ in Tags(html).tags] == ["p"]


def test_images_show_their_alternative_text_and_load_nothing() -> None:
    html = markdown_html('![a <b>tracker</b> & "pixel"](https://tracker.example/p.png)')
    assert [tag for tag, _ in Tags(html).tags] == ["p"]
    assert "tracker.example" not in html
    assert "a &lt;b&gt;tracker&lt;/b&gt; &amp; &quot;pixel&quot;" in html


def test_headings_become_bold_paragraphs() -> None:
    assert markdown_html("# Title\n\nText") == "<p><strong>Title</strong></p>\n<p>Text</p>\n"


def test_blocks_for_the_pdf() -> None:
    text = "# Steps\nFirst line\nsecond *line*\n\n- [edit](https://e.org)\n  1. nested\n- ![alt](https://e.org/i.png)\n\n"
    assert markdown_blocks(text + "```\ncode\n```") == [
        TextBlock("Steps"),
        TextBlock("First line\nsecond line"),
        TextBlock("edit", "•"),
        TextBlock("nested", "1.", 1),
        TextBlock("alt", "•"),
        TextBlock("code"),
    ]
