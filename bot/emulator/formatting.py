"""Render parse_mode text to what the user sees, rejecting markup Telegram would reject."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.emulator.wire import ApiError, bad_request

_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
     "code", "pre", "blockquote", "tg-emoji"}
)  # fmt: skip
# Telegram rejects a "<" that does not open a tag: the classic unescaped user-input bug.
_BARE_LT = re.compile(r"<(?!/?[a-zA-Z])")
# Characters MarkdownV2 reserves that cannot be formatting markers and so must be escaped.
_MDV2_RESERVED = re.compile(r"(?<!\\)[#+\-={}.!]")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _entity_error(text: str, char_index: int, reason: str) -> ApiError:
    offset = len(text[:char_index].encode())
    return bad_request(f"can't parse entities: {reason} at byte offset {offset}")


class _HtmlRenderer(HTMLParser):
    """Strips Telegram-supported HTML tags while checking nesting like Telegram does."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.parts: list[str] = []
        self.stack: list[str] = []

    def _index(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise _entity_error(self.source, self._index(), f'Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise _entity_error(self.source, self._index(), f'Unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _render_html(text: str) -> str:
    bare = _BARE_LT.search(text)
    if bare:
        raise _entity_error(text, bare.start(), 'Unsupported start tag ""')
    parser = _HtmlRenderer(text)
    parser.feed(text)
    parser.close()
    if parser.stack:
        tag = parser.stack[-1]
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
        )
    return "".join(parser.parts)


def _render_markdown_v2(text: str) -> str:
    # Code spans may contain reserved characters unescaped, so check only outside them.
    for chunk_match in re.finditer(r"```.*?```|`[^`]*`|[^`]+", text, flags=re.S):
        chunk = chunk_match.group()
        if chunk.startswith("`"):
            continue
        bad = _MDV2_RESERVED.search(chunk)
        if bad:
            char = bad.group()
            raise bad_request(
                f"can't parse entities: Character '{char}' is reserved and must be escaped "
                "with the preceding '\\'"
            )
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"(?<!\\)(\|\||[*_~`])", "", text)
    return re.sub(r"\\(.)", r"\1", text)


def _render_markdown(text: str) -> str:
    return re.sub(r"[*_`]", "", _MD_LINK.sub(r"\1", text))


def render(text: str, parse_mode: str | None) -> str:
    """Return the plain text Telegram would display for `text` under `parse_mode`."""
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    if mode == "markdown":
        return _render_markdown(text)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram's limits and offsets use."""
    return len(text.encode("utf-16-le")) // 2
