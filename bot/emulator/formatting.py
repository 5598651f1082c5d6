"""Render parse_mode text to what the user sees, rejecting markup Telegram would reject."""

from __future__ import annotations

import re
from typing import Any

from bot.emulator.wire import ApiError, bad_request

_HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
     "span", "pre", "code", "blockquote"}
)  # fmt: skip
_SIMPLE_ENTITIES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "code": "code",
}  # fmt: skip
_SPACES = frozenset(b" \t\r\n\v\f\0")  # tdlib's is_space; NUL also ends the text
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_HTML_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
# Characters MarkdownV2 reserves that cannot be formatting markers and so must be escaped.
_MDV2_RESERVED = re.compile(r"(?<!\\)[#+\-={}.!]")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")

Entity = dict[str, Any]


def _entity_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _decode_entity(text: bytes, pos: int) -> tuple[str, int] | None:
    """tdlib's decode_html_entity: the character `&...` at `pos` stands for, and where it ends.

    Only &lt; &gt; &amp; &quot; and numeric references are decoded (the ";" is optional);
    anything else, such as &nbsp;, stays in the text as typed.
    """
    end = pos + 1
    code = 0
    if text[end : end + 1] == b"#":
        end += 1
        hexadecimal = text[end : end + 1] == b"x"
        end += hexadecimal
        digits = b"0123456789abcdefABCDEF" if hexadecimal else b"0123456789"
        while end < len(text) and text[end] in digits:
            code = code * (16 if hexadecimal else 10) + int(chr(text[end]), 16)
            end += 1
            if code >= 0x10FFFF:
                return None
        if code == 0 or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while end < len(text) and chr(text[end]).isalpha() and text[end] < 0x80:
            end += 1
        name = text[pos + 1 : end]
        if name not in _HTML_ENTITIES:
            return None
        char = _HTML_ENTITIES[name]
    if text[end : end + 1] == b";":
        end += 1
    return char, end


class _HtmlParser:
    """A port of tdlib's parse_html: same accepted syntax, same error messages and offsets."""

    def __init__(self, source: str) -> None:
        self.text = source.encode("utf-8", "surrogatepass")
        self.out: list[str] = []
        self.utf16 = 0  # length of the output so far in UTF-16 code units
        self.entities: list[Entity] = []
        # (tag name, argument, UTF-16 offset, index into self.out) of each open tag
        self.open: list[tuple[str, str, int, int]] = []

    def at(self, i: int) -> int:
        return self.text[i] if i < len(self.text) else 0

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def parse(self) -> tuple[str, list[Entity]]:
        i = 0
        plain_start = 0
        while i < len(self.text):
            c = self.text[i]
            if c not in b"&<":
                i += 1
                continue
            self.emit(self.text[plain_start:i].decode("utf-8", "surrogatepass"))
            if c == ord("&"):
                decoded = _decode_entity(self.text, i)
                if decoded is None:
                    self.emit("&")
                    i += 1
                else:
                    if 0xD800 <= ord(decoded[0]) <= 0xDFFF:
                        raise _entity_error(
                            "Text contains invalid Unicode characters after decoding HTML "
                            "entities, check for unmatched surrogate code units"
                        )
                    self.emit(decoded[0])
                    i = decoded[1]
            elif self.at(i + 1) != ord("/"):
                i = self._start_tag(i)
            else:
                i = self._end_tag(i)
            plain_start = i
        self.emit(self.text[plain_start:].decode("utf-8", "surrogatepass"))
        if self.open:
            tag = self.open[-1][0]
            raise _entity_error(f'Can\'t find end tag corresponding to start tag "{tag}"')
        for entity in self.entities:
            entity.pop("_language", None)  # a code block's language only counts inside pre
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != ord(">"):
            i += 1
        if self.at(i) == 0:
            raise _entity_error(f"Unclosed start tag at byte offset {begin}")
        tag = self.text[begin + 1 : i].decode("utf-8", "replace").lower()
        if tag not in _HTML_TAGS:
            raise _entity_error(f'Unsupported start tag "{tag}" at byte offset {begin}')
        argument = ""
        while self.at(i) != ord(">"):
            while self.at(i) != 0 and self.at(i) in _SPACES:
                i += 1
            if self.at(i) == ord(">"):
                break
            name_begin = i
            while self.at(i) not in _SPACES and self.at(i) not in b"=>":
                i += 1
            name = self.text[name_begin:i]
            if not name:
                raise _entity_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                )
            while self.at(i) != 0 and self.at(i) in _SPACES:
                i += 1
            if self.at(i) != ord("="):
                if tag == "blockquote" and name == b"expandable":
                    argument = "1"
                    continue
                raise _entity_error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin}'
                )
            i += 1
            while self.at(i) != 0 and self.at(i) in _SPACES:
                i += 1
            if self.at(i) == 0:
                raise _entity_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if self.at(i) == 0:
                raise _entity_error(f"Unclosed start tag at byte offset {begin}")
            if tag == "a" and name == b"href":
                argument = value
            elif tag == "code" and name == b"class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and name == b"class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and name == b"emoji-id":
                argument = value
            elif tag == "blockquote" and name == b"expandable":
                argument = "1"
        if tag == "span" and argument != "spoiler":
            raise _entity_error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.open.append((tag, argument, self.utf16, len(self.out)))
        return i + 1

    def _attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in b"'\"":
            # A name token: letters, digits, periods and hyphens, case-insensitive.
            token_begin = i
            while self.at(i) in _NAME_TOKEN:
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != ord(">"):
                raise _entity_error(f"Unexpected end of name token at byte offset {token_begin}")
            return self.text[token_begin:i].decode().lower(), i
        i += 1
        value: list[str] = []
        while i < len(self.text) and self.text[i] != quote:
            decoded = _decode_entity(self.text, i) if self.text[i] == ord("&") else None
            if decoded is not None:
                value.append(decoded[0])
                i = decoded[1]
            else:
                start = i
                i += 1
                while i < len(self.text) and self.text[i] not in (quote, ord("&")):
                    i += 1
                value.append(self.text[start:i].decode("utf-8", "replace"))
        if self.at(i) == quote:
            i += 1
        return "".join(value), i

    def _end_tag(self, begin: int) -> int:
        if not self.open:
            raise _entity_error(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while self.at(i) not in _SPACES and self.at(i) != ord(">"):
            i += 1
        end_name = self.text[begin + 2 : i].decode("utf-8", "replace")
        while self.at(i) in _SPACES and self.at(i) != 0:
            i += 1
        if self.at(i) != ord(">"):
            raise _entity_error(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, out_index = self.open.pop()
        if end_name and end_name != tag:
            raise _entity_error(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        length = self.utf16 - offset
        if length > 0:
            self._add_entity(tag, argument, offset, length, "".join(self.out[out_index:]))
        return i + 1

    def _add_entity(self, tag: str, argument: str, offset: int, length: int, inner: str) -> None:
        entity: Entity = {"offset": offset, "length": length}
        if tag in _SIMPLE_ENTITIES:
            entity["type"] = _SIMPLE_ENTITIES[tag]
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if argument else "blockquote"
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise _entity_error("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "a":
            url = _checked_url(argument or inner)
            if url is None:
                return  # tdlib drops a link it cannot use and keeps the text
            entity.update(type="text_link", url=url)
        else:  # pre, possibly around a <code class="language-...">
            entity["type"] = "pre"
            inner_code = next(
                (e for e in self.entities if e["type"] == "code" and "_language" in e
                 and (e["offset"], e["length"]) == (offset, length)),
                None,
            )  # fmt: skip
            if inner_code is not None:
                self.entities.remove(inner_code)
                entity["language"] = inner_code.pop("_language")
        if tag == "code" and argument and self.open and self.open[-1][0] == "pre":
            entity["_language"] = argument  # merged into the enclosing pre if it closes here
        self.entities.append(entity)


def _checked_url(url: str) -> str | None:
    """The link a text_link carries, normalised as Telegram does, or None if it is no link."""
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return None
    if re.match(r"(?i)tg://", url):
        return url
    scheme = re.match(r"(?i)(https?|ftp|tonsite)://", url)
    rest = url[scheme.end() :] if scheme else url
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "." not in host.strip(".") and not host.startswith("localhost"):
        return None
    if not rest[len(host) :].startswith("/"):
        url = url[: len(url) - len(rest)] + host + "/" + rest[len(host) :]
    return url if scheme else "http://" + url


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


def _trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Drop leading and trailing whitespace, as Telegram does, moving and clipping entities."""
    stripped = text.lstrip()
    cut = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip()
    end = utf16_len(stripped)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - cut, 0)
        stop = min(entity["offset"] + entity["length"] - cut, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept


def render(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """The text Telegram would show for `text` under `parse_mode` (trimmed), and its entities.

    Entities are only worked out for HTML, the mode the bot uses; the Markdown modes are
    checked roughly and give none.
    """
    mode = (parse_mode or "").lower()
    if not parse_mode:
        shown, entities = text, []
    elif mode == "html":
        shown, entities = _HtmlParser(text).parse()
    elif mode == "markdownv2":
        shown, entities = _render_markdown_v2(text), []
    elif mode == "markdown":
        shown, entities = _render_markdown(text), []
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return _trim(shown, entities)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram's limits and offsets use."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
