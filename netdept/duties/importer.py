"""Split a site's own regulation text into its articles by the numbering it uses.

A regulation arrives as a .txt file (UTF-8 or GB18030), a .docx file or pasted text. Chinese
regulations number their parts in a few ways, often several in one document and often run
together on one line ("…管理制度第一章总则第一条为了规范…"):

- parts and chapters: 第1篇 / 第一篇, 第一章, 第一节 — they group articles (``chapter``);
- articles: 第一条, 第十一条;
- sections: 一、 二、 (a section with numbered items is split into its items: 一-1, 一-2);
- items: (一) / （一）, 1. / 1、 / 1．, 1.1, 1) / (1), ①.

A marker at the start of a line is always taken; one inside a line only when it continues
its list (the next number: "第五条…;第六条…", "…如下:1. …;2. …") so that a reference such as
"依照第五条" or a time such as "5:00" stays text. ``split_text`` answers the articles with
their labels as numbered in the text (第十一条, 一-3, 5, 1.1, 四-(二)), their chapter, their
text and the line each starts on, plus warnings (a label that appears twice) for the preview.
Nothing here touches the database: ``services.regulations.import_articles`` saves a preview
the person confirmed.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Final
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from netdept.core.import_files import ImportFileError, check_parts, decode_csv

from .models.regulations import MAX_ARTICLE_TEXT, MAX_SOURCE_TEXT

MAX_UPLOAD_BYTES: Final = 5 * 1024 * 1024
EXTENSIONS: Final = (".txt", ".docx")

_CN_DIGITS: Final = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}  # fmt: skip
_CN_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
CN: Final = "[零〇一二三四五六七八九十百千]{1,6}"
_CIRCLED: Final = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

#: the kinds of marker; parts, chapters and sections (节) have a fixed rank, lists nest as met
PART, CHAPTER, SECTION, ARTICLE = "part", "chapter", "section", "article"
CN_LIST, PAREN_CN, DOTTED, AR_DOT, AR_DUN, PAREN_AR, CIRCLED = (
    "cn_list", "paren_cn", "dotted", "ar_dot", "ar_dun", "paren_ar", "circled",
)  # fmt: skip
STRUCTURAL: Final = {PART: 0, CHAPTER: 1, SECTION: 2}
ARABIC: Final = {DOTTED, AR_DOT, AR_DUN, PAREN_AR}

_MARKERS: Final = re.compile(
    rf"(?P<{PART}>【?第(?P<n_part>\d{{1,2}}|{CN})篇】?)"
    rf"|(?P<{CHAPTER}>第(?P<n_chapter>\d{{1,3}}|{CN})章)"
    rf"|(?P<{SECTION}>第(?P<n_section>\d{{1,3}}|{CN})节)"
    rf"|(?P<{ARTICLE}>第(?P<n_article>\d{{1,3}}|{CN})条[:：、]?)"
    rf"|(?P<{PAREN_CN}>[(（](?P<n_paren_cn>{CN})[)）][.．、]?)"
    rf"|(?P<{PAREN_AR}>(?<![\d.])[(（]?(?P<n_paren_ar>\d{{1,2}})[)）])"
    rf"|(?P<{CIRCLED}>(?P<n_circled>[{_CIRCLED}]))"
    rf"|(?P<{DOTTED}>(?<![\d.])(?P<n_dotted>\d{{1,2}}\.\d{{1,2}})(?![\d.]))"
    rf"|(?P<{CN_LIST}>(?P<n_cn_list>{CN})、)"
    rf"|(?P<{AR_DUN}>(?<![\d.])(?P<n_ar_dun>\d{{1,3}})、)"
    rf"|(?P<{AR_DOT}>(?<![\d.])(?P<n_ar_dot>\d{{1,3}})[.．](?![\d.．]))"
)
#: what may stand just before a marker inside a line (a new clause begins)
_BOUNDARY: Final = set(";；。:：!！?？,，)）】 \t")
_SENTENCE: Final = re.compile(r"[。；;!！?？]")
_CLAUSE: Final = re.compile(r"[。；;!！?？,，:：]")
_HEADING_MAX: Final = 20
_TRIM: Final = " \t\u3000【】"


def cn_number(text: str) -> int:
    """一 → 1, 十一 → 11, 二十 → 20, 一百零五 → 105, 12 → 12."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


def cn_numeral(n: int) -> str:
    """1 → 一, 11 → 十一, 20 → 二十, 105 → 一百零五 (for Word's automatic numbering)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    head = digits[n // 100] + "百"
    if not rest:
        return head
    if rest < 10:
        return head + "零" + digits[rest]
    return head + ("一" if rest < 20 else "") + cn_numeral(rest)


@dataclass
class ParsedArticle:
    label: str
    text: str
    chapter: str = ""
    line: int = 0  # 1-based, in the text given (plus ``first_line`` - 1)
    position: int = 0


@dataclass
class ParseResult:
    title: str
    articles: list[ParsedArticle]
    preamble: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Node:
    kind: str
    number: str  # as written: 十一, 3, 1.2
    raw: str  # the marker as written
    line: int
    parts: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    counters: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return _clean("".join(self.parts))

    @property
    def value(self) -> tuple[int, int]:
        if self.kind == DOTTED:
            x, _sep, y = self.number.partition(".")
            return int(x), int(y)
        if self.kind == CIRCLED:
            return 0, _CIRCLED.index(self.number) + 1
        return 0, cn_number(self.number)

    @property
    def label(self) -> str:
        n = self.number
        return {
            PART: f"第{n}篇",
            CHAPTER: f"第{n}章",
            SECTION: f"第{n}节",
            ARTICLE: f"第{n}条",
            PAREN_CN: f"({n})",
            PAREN_AR: f"({n})",
        }.get(self.kind, n)

    def flat(self) -> str:
        """The node's text with every descendant, markers kept (an article's full text)."""
        pieces = [self.text]
        for child in self.children:
            pieces.append(child.raw.strip(_TRIM) + child.flat())
        return _clean("\n".join(p for p in pieces if p))


def _clean(text: str) -> str:
    lines = [line.strip(_TRIM) for line in text.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def _expected(parent: _Node, kind: str, value: tuple[int, int]) -> bool:
    last = parent.counters.get(kind)
    if kind == DOTTED:
        if last is None:
            return value[1] == 1
        return value == (last[0], last[1] + 1) or (value[0] == last[0] + 1 and value[1] == 1)
    if last is None:
        return value[1] == 1
    return value[1] == last[1] + 1


class _Splitter:
    def __init__(self, title: str) -> None:
        self.root = _Node("root", "", "", 0)
        self.stack: list[_Node] = [self.root]
        self.title = title
        self.last_article = 0  # articles are numbered through the whole document
        self._no_marker_yet = True

    def parent_for(self, kind: str) -> tuple[int, _Node]:
        """Where a marker of ``kind`` goes: the index the stack is cut to and its parent."""
        stack = self.stack
        if kind in STRUCTURAL:
            i = len(stack)
            while i > 1 and not (
                stack[i - 1].kind in STRUCTURAL and STRUCTURAL[stack[i - 1].kind] < STRUCTURAL[kind]
            ):
                i -= 1
            return i, stack[i - 1]
        for i in range(len(stack) - 1, 0, -1):
            if stack[i].kind == kind:
                return i, stack[i - 1]
        i = len(stack)
        if kind in (ARTICLE, CN_LIST):
            # an article or a section never sits inside a list item
            while i > 1 and stack[i - 1].kind not in STRUCTURAL and stack[i - 1].kind != CN_LIST:
                i -= 1
            if kind == CN_LIST:
                while i > 1 and stack[i - 1].kind == ARTICLE:
                    i -= 1
        return i, stack[i - 1]

    def accept(
        self, kind: str, number: str, line: str, start: int, at_line_start: bool, pos: int = 0
    ) -> bool:
        node = _Node(kind, number, "", 0)
        _i, parent = self.parent_for(kind)
        if at_line_start:
            return True
        if kind == ARTICLE:
            return node.value[1] == self.last_article + 1
        expected = _expected(parent, kind, node.value)
        if kind in STRUCTURAL:
            return expected
        before = line[:start].rstrip(" \t")
        prev = before[-1:] if before else ""
        if kind != DOTTED and node.value[1] == 1 and prev in _BOUNDARY and prev not in " \t":
            return True  # a new list begins after a clause: "…主要有:(一)…"
        if kind == CN_LIST:
            # "…制度一、总则": a list's first section after the title; else after a clause
            since = line[pos:start].strip(" \t")
            head = not since or (
                not _SENTENCE.search(before) and len(before) <= 40 and self._no_marker_yet
            )
            return expected and (prev in _BOUNDARY or head)
        if kind in ARABIC or kind in (PAREN_CN, CIRCLED):
            first = node.value[1] == 1
            return expected and (prev in _BOUNDARY or first or kind in (PAREN_CN, CIRCLED))
        return expected

    def push(self, kind: str, number: str, raw: str, line_no: int) -> _Node:
        i, parent = self.parent_for(kind)
        del self.stack[i:]
        node = _Node(kind, number, raw, line_no)
        parent.children.append(node)
        parent.counters[kind] = node.value
        if kind == ARTICLE:
            self.last_article = node.value[1]
        # a new list under this parent restarts its children's numbering
        self.stack.append(node)
        return node

    def feed(self, lines: list[str], first_line: int) -> None:
        if not self.title:
            self.title = next((line.strip() for line in lines if line.strip()), "")
        stem = title_stem(self.title)
        piece = re.compile(rf"^\s*{re.escape(stem)}(\d{{1,2}})(?![\d篇.、．])") if stem else None
        for offset, line in enumerate(lines):
            line_no = first_line + offset
            stripped = line.strip(" \t\u3000")
            self._no_marker_yet = True
            pos = 0
            found = piece.match(line) if piece else None
            if found:
                # a compilation's next piece: "网络管理制度2…" reads as 第2篇
                self.stack[-1].parts.append("\n")
                self.push(PART, found.group(1), found.group(0), line_no)
                self._no_marker_yet = False
                pos = found.end()
            lead = len(line) - len(line.lstrip(" \t\u3000"))
            for match in _MARKERS.finditer(line, pos):
                kind = next(k for k in _KINDS if match.group(k) is not None)
                number = match.group(f"n_{kind}")
                at_start = match.start() <= lead + (1 if line[lead : lead + 1] == "【" else 0)
                if not stripped or not self.accept(
                    kind, number, line, match.start(), at_start, pos
                ):
                    continue
                self.stack[-1].parts.append(line[pos : match.start()])
                self.push(kind, number, match.group(0), line_no)
                self._no_marker_yet = False
                pos = match.end()
            self.stack[-1].parts.append(line[pos:] + "\n")


_KINDS: Final = (
    PART, CHAPTER, SECTION, ARTICLE, PAREN_CN, PAREN_AR, CIRCLED, DOTTED, CN_LIST, AR_DUN, AR_DOT,
)  # fmt: skip


def _heading(text: str) -> bool:
    return bool(text) and len(text) <= _HEADING_MAX and not _CLAUSE.search(text)


def title_stem(title: str) -> str:
    """ "网络管理制度(精选7篇)" → "网络管理制度": what a compilation repeats before each piece's
    number ("网络管理制度1…", "网络管理制度2…")."""
    stem = re.sub(r"[(（][^()（）]*[)）]\s*$", "", title.strip())
    stem = re.sub(r"\d+篇$", "", stem).strip()
    return stem if len(stem) >= 4 else ""


class _Collector:
    def __init__(self, multi_part: bool) -> None:
        self.articles: list[ParsedArticle] = []
        self.multi_part = multi_part

    def add(self, label: str, text: str, chapter: str, line: int) -> None:
        self.articles.append(ParsedArticle(label, text, chapter[:200], line))

    def container(self, node: _Node, chapter: str, prefix: str) -> None:
        """A part, chapter, section (节) or a section (一、): its heading groups its children."""
        own = node.text
        label = prefix + node.label
        if not node.children:
            self.add(label, own, chapter, node.line)
            return
        if _heading(own):
            inner = f"{node.label}、{own}" if node.kind == CN_LIST else f"{node.label} {own}"
        else:
            inner = node.label
            if own:
                self.add(label, own, chapter, node.line)
        if (chapter and node.kind == CN_LIST) or (
            chapter
            and node.kind in STRUCTURAL
            and not (node.kind == CHAPTER and chapter.startswith("第") and "篇" not in chapter)
        ):
            inner = f"{chapter} · {inner}"
        # items under a chapter or section restart their numbers: the label names it
        if node.kind == PART:
            child_prefix = f"{label}-" if self.multi_part else prefix
        else:
            child_prefix = f"{label}-"
        self.children(node, inner, child_prefix)

    def children(self, node: _Node, chapter: str, prefix: str) -> None:
        for child in node.children:
            if child.kind in STRUCTURAL or child.kind == CN_LIST:
                self.container(child, chapter, prefix)
            elif child.kind in (ARTICLE, DOTTED):
                # 第五条 and 1.2 name themselves within the whole document
                self.add(child.label, child.flat(), chapter, child.line)
            else:
                self.add(prefix + child.label, child.flat(), chapter, child.line)


def _title_and_preamble(root: _Node, title: str) -> tuple[str, str]:
    lines = [line for line in root.text.split("\n") if line]
    if not title and lines:
        title = lines[0][:200]
    rest: list[str] = []
    for line in lines:
        if title and (line == title or title.startswith(line) or line.startswith(title)):
            tail = line
            while title and tail.startswith(title):
                tail = tail[len(title) :]
            tail = "" if title.startswith(line) else tail
            if tail.strip(_TRIM):
                rest.append(tail.strip(_TRIM))
            continue
        rest.append(line)
    return title, "\n".join(rest).strip()


def split_text(text: str, *, title: str = "", first_line: int = 1) -> ParseResult:
    """Split ``text`` into articles (see the module's docstring). ``first_line``: the number of
    the text's first line in its file (the seed's line numbers)."""
    if len(text) > MAX_SOURCE_TEXT:
        raise ValidationError(
            {"source_text": _("The text is too long (%(size)s characters; the limit is %(limit)s).")
             % {"size": len(text), "limit": MAX_SOURCE_TEXT}}
        )  # fmt: skip
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    splitter = _Splitter(title)
    splitter.feed(lines, first_line)
    root = splitter.root
    parts = [n for n in root.children if n.kind == PART]
    collector = _Collector(multi_part=len(parts) > 1)
    collector.children(root, "", "")
    title, preamble = _title_and_preamble(root, title.strip())
    result = ParseResult(title=title, articles=[], preamble=preamble)
    seen: dict[str, int] = {}
    for article in collector.articles:
        if not article.text:
            article.text = article.label
        if len(article.text) > MAX_ARTICLE_TEXT:
            result.warnings.append(
                _("Article %(label)s is longer than %(limit)s characters; it is cut there.")
                % {"label": article.label, "limit": MAX_ARTICLE_TEXT}
            )
            article.text = article.text[:MAX_ARTICLE_TEXT]
        label = article.label[:40]
        if label in seen:
            seen[label] += 1
            new = f"{label}-{seen[label]}"[:40]
            result.warnings.append(
                _("Label %(label)s appears again (line %(line)s); it is saved as %(new)s.")
                % {"label": label, "line": article.line, "new": new}
            )
            label = new
        seen.setdefault(label, 1)
        article.label = label
        article.position = len(result.articles) + 1
        result.articles.append(article)
    if not result.articles:
        result.warnings.append(
            _("No numbering was found (Article 1, I., 1.…): the whole text is one article.")
        )
        body = _clean(text)
        if body:
            result.articles.append(ParsedArticle("1", body[:MAX_ARTICLE_TEXT], "", first_line, 1))
    return result


# --- files ------------------------------------------------------------------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _no_doctype(xml: bytes) -> bytes:
    """Word never writes a DTD; one in an uploaded file is refused (no entity can expand, so
    the standard parser is safe without a new dependency)."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise ValueError("DTD in a Word part")
    return xml


def _levels(numbering: bytes | None) -> dict[str, dict[int, tuple[str, str, int]]]:
    """numId → level → (format, text such as "第%1条", start) from word/numbering.xml."""
    if not numbering:
        return {}
    tree = ElementTree.fromstring(_no_doctype(numbering))  # noqa: S314  (no DTD: see _no_doctype)
    abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
    for node in tree.iter(f"{W}abstractNum"):
        levels: dict[int, tuple[str, str, int]] = {}
        for lvl in node.iter(f"{W}lvl"):
            ilvl = int(lvl.get(f"{W}ilvl", "0"))
            fmt = lvl.find(f"{W}numFmt")
            txt = lvl.find(f"{W}lvlText")
            start = lvl.find(f"{W}start")
            levels[ilvl] = (
                fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                txt.get(f"{W}val", "") if txt is not None else "",
                int(start.get(f"{W}val", "1")) if start is not None else 1,
            )
        abstract[node.get(f"{W}abstractNumId", "")] = levels
    nums: dict[str, dict[int, tuple[str, str, int]]] = {}
    for num in tree.iter(f"{W}num"):
        ref = num.find(f"{W}abstractNumId")
        if ref is not None:
            nums[num.get(f"{W}numId", "")] = abstract.get(ref.get(f"{W}val", ""), {})
    return nums


def _format_number(fmt: str, n: int) -> str:
    if fmt.startswith(("chinese", "ideograph", "taiwanese", "japaneseCounting")):
        return cn_numeral(n)
    if fmt == "decimalEnclosedCircle" and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    return str(n)


def docx_text(data: bytes, name: str = "") -> str:
    """The paragraphs of a .docx file as lines, Word's automatic numbering written out (a
    paragraph numbered "第%1条" by its list style reads "第三条…" as it does on paper)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_parts(zf, name or "docx")
            document = zf.read("word/document.xml")
            numbering = (
                zf.read("word/numbering.xml") if "word/numbering.xml" in zf.namelist() else None
            )
        tree = ElementTree.fromstring(_no_doctype(document))  # noqa: S314  (see _no_doctype)
        levels = _levels(numbering)
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise ValidationError(
            {"file": _("The file is not a Word document (.docx) or it is damaged.")}
        ) from exc
    counters: dict[str, list[int]] = {}
    lines: list[str] = []
    for para in tree.iter(f"{W}p"):
        pieces: list[str] = []
        for node in para.iter():
            if node.tag == f"{W}t" and node.text:
                pieces.append(node.text)
            elif node.tag == f"{W}tab":
                pieces.append(" ")
            elif node.tag in (f"{W}br", f"{W}cr"):
                pieces.append("\n")
        prefix = ""
        num_pr = para.find(f"{W}pPr/{W}numPr")
        if num_pr is not None:
            num_id_node, ilvl_node = num_pr.find(f"{W}numId"), num_pr.find(f"{W}ilvl")
            num_id = num_id_node.get(f"{W}val", "") if num_id_node is not None else ""
            ilvl = int(ilvl_node.get(f"{W}val", "0")) if ilvl_node is not None else 0
            level_specs = levels.get(num_id, {})
            if ilvl in level_specs:
                count = counters.setdefault(num_id, [0] * 10)
                if ilvl < 10:
                    _fmt, template, start = level_specs[ilvl]
                    count[ilvl] = (count[ilvl] or start - 1) + 1
                    for deeper in range(ilvl + 1, 10):
                        count[deeper] = 0
                    prefix = template
                    for lvl in range(ilvl, -1, -1):
                        spec = level_specs.get(lvl, ("decimal", "", 1))
                        value = count[lvl] or spec[2]
                        prefix = prefix.replace(f"%{lvl + 1}", _format_number(spec[0], value))
                    if prefix and not prefix.endswith(
                        ("、", ".", "．", ")", "）", "条", "章", "节")
                    ):
                        prefix += " "
        text = "".join(pieces)
        if text.strip() or prefix:
            lines.append(prefix + text)
    return "\n".join(lines)


def read_upload(name: str, data: bytes) -> str:
    """The text of an uploaded regulation (.txt or .docx); ``ValidationError`` on ``file``."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValidationError(
            {"file": _("Upload a .txt or .docx file (this one is “%(name)s”).") % {"name": name}}
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
             % {"size": round(len(data) / 2**20, 1), "limit": MAX_UPLOAD_BYTES // 2**20}}
        )  # fmt: skip
    if suffix == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            raise ValidationError(
                {"file": _("The file is not a Word document (.docx) or it is damaged.")}
            )
        text = docx_text(data, name)
    else:
        if b"\x00" in data[:4096]:
            raise ValidationError({"file": _("The file is not a text file (.txt).")})
        try:
            text = decode_csv(data)
        except ImportFileError as exc:
            raise ValidationError(
                {"file": _("The text file is neither UTF-8 nor GB18030; save it as UTF-8.")}
            ) from exc
    if not text.strip():
        raise ValidationError({"file": _("The file holds no text.")})
    if len(text) > MAX_SOURCE_TEXT:
        raise ValidationError(
            {"file": _("The text is too long (%(size)s characters; the limit is %(limit)s).")
             % {"size": len(text), "limit": MAX_SOURCE_TEXT}}
        )  # fmt: skip
    return text
