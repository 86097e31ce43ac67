"""OB 3.0 Markdown fields (achievement ``description``, ``criteria.narrative``, a subject's
``narrative``) as safe HTML for pages, as plain text blocks for the PDF certificate, and as one
line of text for sharing tags.

One parser for both, markdown-it-py's CommonMark with a newline kept as a line break (as most
issuers type plain text). Raw HTML is never passed through (it shows as text), links are only
``http``, ``https`` and ``mailto`` (anything else stays text) and carry
``rel="nofollow noopener ugc"``, an image shows as its alternative text (nothing is loaded from
elsewhere), and headings become bold paragraphs (a page's own headings stay its outline).

See: https://www.imsglobal.org/spec/ob/v3p0/#markdowntext and https://spec.commonmark.org/
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

LINK_SCHEMES = ("http://", "https://", "mailto:")
LINK_REL = "nofollow noopener ugc"


@dataclass(frozen=True)
class TextBlock:
    """A paragraph, list item, heading or code block as plain text (line breaks kept);
    ``marker`` is a list item's bullet or number, ``depth`` its list nesting."""

    text: str
    marker: str = ""
    depth: int = 0


def _allowed_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("rel", LINK_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return escapeHtml(renderer.renderInlineAsText(tokens[idx].children or [], options, env))


def _heading(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "<p><strong>" if tokens[idx].type == "heading_open" else "</strong></p>\n"


@functools.cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    parser.validateLink = _allowed_link  # type: ignore[method-assign]
    parser.add_render_rule("link_open", _link_open)
    parser.add_render_rule("image", _image)
    parser.add_render_rule("heading_open", _heading)
    parser.add_render_rule("heading_close", _heading)
    return parser


def markdown_html(text: str) -> str:
    """``text`` (Markdown) as HTML that is safe to put in a page as it is."""
    return str(_parser().render(text))


def markdown_blocks(text: str) -> list[TextBlock]:
    """``text`` (Markdown) as the blocks a plain-text layout (the PDF) prints one by one."""
    blocks: list[TextBlock] = []
    lists: list[dict[str, Any]] = []  # open lists: {"ordered": bool, "next": int}
    marker = ""
    for token in _parser().parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1)
            lists.append({"ordered": token.type == "ordered_list_open", "next": start})
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open" and lists:
            current = lists[-1]
            marker = f"{current['next']}." if current["ordered"] else "•"
            current["next"] += 1
        elif token.type == "inline":
            blocks.append(TextBlock(_plain(token.children or []), marker, max(len(lists) - 1, 0)))
            marker = ""
        elif token.type in ("fence", "code_block"):
            blocks.append(TextBlock(token.content.rstrip("\n"), marker, max(len(lists) - 1, 0)))
            marker = ""
    return [block for block in blocks if block.text.strip() or block.marker]


def markdown_text(text: str) -> str:
    """``text`` (Markdown) as one line of plain text (a page's description for sharing)."""
    blocks = markdown_blocks(text)
    return " ".join(" ".join(f"{b.marker} {b.text}".split()) for b in blocks)


def _plain(children: Sequence[Token]) -> str:
    """An inline run as text: emphasis dropped, links as their text, images as their alt."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_plain(child.children or []))
    return "".join(parts)
