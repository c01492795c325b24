"""One language at a time: finds text of the other language in a rendered page.

The browser fixtures (``conftest.py``) hand every HTML answer the browser receives — pages and
HTMX fragments alike — to :class:`LanguageChecker`. The page's language is the answer's
``Content-Language`` (set by Django's LocaleMiddleware), else ``<html lang>``. What is read:
text nodes and the attributes people read (``title``, ``placeholder``, ``aria-label``,
``alt``, confirmation prompts, the value of an ``<input type=submit>``).

What is not UI text, and therefore never flagged:

* an element marked ``lang="…"`` (its own language: the language switcher says "English" on a
  Chinese page) or ``translate="no"`` (the HTML way to mark names and code), and ``<script>``,
  ``<style>``, ``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``, ``<textarea>`` (typed content);
* on a Chinese page: numbers and codes (anything holding a digit, ``_``, ``@``, ``/``, ``.``
  or ``:`` inside a word: WO-20261201-0003, P1, user3, zhangsan@example.org, 10.0.0.1,
  Asia/Shanghai, people.xlsx, .xlsx), acronyms in capitals (CSV, SLA, API, IP), names written in
  camel case (NetDept, DingTalk, iPhone), the product and proper names of ``PROPER_NAMES``,
  and any word that is data in the database (a login, a person's name in Latin letters, a
  channel's name): ``data_words`` answers those;
* on an English page: the names of ``CJK_NAMES`` (a language's own name) and any Chinese that
  is data in the database (张三, 网络部): the same ``data_words``.

A test can allow more with ``page.language.allow("word or text")``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Product names, standards and other proper names that stay in Latin letters on Chinese pages.
PROPER_NAMES_TEXT = """
NetDept Excel Word Office Chromium Chrome Firefox Safari Edge Bootstrap Django Swagger Redoc
Markdown Python Linux Windows macOS Android Google Microsoft Authenticator Authy FreeOTP
Outlook Gmail zip Feishu Lark Webhook WeCom DingTalk WeChat Redis PostgreSQL SQLite Nginx
Debian Ubuntu htmx ECharts OpenAPI English Telnet Asia Shanghai Beijing
"""
PROPER_NAMES = frozenset(PROPER_NAMES_TEXT.lower().split())
# Chinese kept in English text: a language's own name (the language switcher, the language
# preference), the terms of GLOSSARY.md that English pages give in Chinese too (三员, 调休), the
# regulation's name of the separation of duties (三权分立, after "separation of duties") or that
# name a product's own feature (DingTalk's 加签).
CJK_NAMES = ("简体中文", "中文", "三员", "调休", "三权分立", "加签")

SKIPPED_TAGS = frozenset({"script", "style", "code", "pre", "kbd", "samp", "textarea", "svg"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
# Elements whose text starts with a capital in English (Django's verbose names are lower case:
# a template shows them with |capfirst).
LABEL_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "th", "label", "legend", "dt", "button", "summary",
     "caption"}
)  # fmt: skip
LABEL_ATTRIBUTES = ("title", "aria-label")
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "hx-confirm", "data-confirm")
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
# A whitespace-separated token that is a code, number, address or file name, not a word.
CODE_CHARS = r"[\w.@/:+#%&=?-]*"
CODE_TOKEN = re.compile(CODE_CHARS + r"(?:\d|_|@|/|[A-Za-z]\.[A-Za-z]|:[A-Za-z\d])" + CODE_CHARS)
# Tokens are separated by white space, Chinese characters and full-width punctuation.
SEPARATOR = re.compile(r"[\s\u3000-\u303f\uff00-\uffef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TEMPLATE_SYNTAX = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
TOKEN_EDGE = "()[]{}<>\"'“”‘’«»,;!?…·•|*–—：，。；！？（）【】、《》"


@dataclass
class Chunk:
    """A piece of text a person reads, with where it was found."""

    text: str
    lang: str  # the language of the innermost element declaring one
    where: str  # tag, or tag[attribute]
    label: bool = False  # the start of a heading, label, column head, button or option


class _Collector(HTMLParser):
    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[tuple[str, str, bool]] = []  # (tag, lang, skipped)
        self.chunks: list[Chunk] = []
        self.labelled = -1  # stack depth of the label-like element whose first text was read

    def _state(self) -> tuple[str, bool]:
        if not self.stack:
            return self.page_lang, False
        _tag, lang, skipped = self.stack[-1]
        return lang, skipped

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        lang, skipped = self._state()
        if tag == "html" and values.get("lang"):
            self.page_lang = lang = values["lang"]
        elif values.get("lang"):
            lang = values["lang"]
        skipped = skipped or tag in SKIPPED_TAGS or values.get("translate") == "no"
        if not skipped:
            for name in READ_ATTRIBUTES:
                if values.get(name):
                    label = name in LABEL_ATTRIBUTES
                    self.chunks.append(Chunk(values[name], lang, f"{tag}[{name}]", label))
            button = tag == "input" and values.get("type", "").lower() in BUTTON_INPUTS
            if button and values.get("value"):
                self.chunks.append(Chunk(values["value"], lang, "input[value]", True))
        if tag not in VOID_TAGS:
            self.stack.append((tag, lang, skipped))
            if self.labelled >= len(self.stack) - 1:
                self.labelled = -1  # a new element at that depth: its first text is a start

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        lang, skipped = self._state()
        text = " ".join(data.split())
        if text and not skipped:
            where = self.stack[-1][0] if self.stack else "#text"
            # the first text of a label-like element (or of a link or span right inside one)
            label = False
            for i in range(len(self.stack) - 1, max(len(self.stack) - 3, -1), -1):
                if self.stack[i][0] in LABEL_TAGS:
                    label = self.labelled != i
                    self.labelled = i
                    break
            self.chunks.append(Chunk(text, lang, where, label))


def chunks_of(html: str, page_lang: str = "") -> tuple[str, list[Chunk]]:
    """The page's language (``<html lang>`` wins over ``page_lang``) and its readable text."""
    collector = _Collector(page_lang)
    collector.feed(html)
    collector.close()
    return collector.page_lang, collector.chunks


def family(lang: str) -> str:
    """ "zh" or "en" (or "" for a language the checker does not know)."""
    lang = (lang or "").lower()
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en"):
        return "en"
    return ""


def english_words(text: str) -> list[str]:
    """The English words of ``text`` that are not codes, acronyms, camel-case names or
    template syntax (``{{ number }}`` in the help of a notification template)."""
    words: list[str] = []
    for token in SEPARATOR.split(TEMPLATE_SYNTAX.sub(" ", text)):
        token = token.strip(TOKEN_EDGE)
        if not token or token.startswith(".") or CODE_TOKEN.fullmatch(token):
            continue
        for word in WORD.findall(token):
            if len(word) < 2 or word.isupper():
                continue  # a letter (an option "A"), an acronym (CSV, SLA, IT)
            if any(c.isupper() for c in word[1:]):
                continue  # NetDept, DingTalk, iPhone
            if word.lower() in PROPER_NAMES:
                continue
            words.append(word)
    return words


def chinese_runs(text: str) -> list[str]:
    runs = CJK.findall(text)
    return [r for r in runs if not any(r in name for name in CJK_NAMES)]


@dataclass
class Finding:
    url: str
    page_lang: str
    chunk: Chunk
    offending: list[str]
    capital: bool = False  # an English label starting in lower case

    def __str__(self) -> str:
        text = self.chunk.text if len(self.chunk.text) <= 160 else self.chunk.text[:157] + "…"
        if self.capital:
            return (
                f"English label in lower case on {self.url}: {self.offending[0]!r} "
                f"in <{self.chunk.where}> {text!r} (use |capfirst)"
            )
        language = "Chinese" if family(self.page_lang) == "zh" else "English"
        other = "English" if language == "Chinese" else "Chinese"
        article = "a" if language == "Chinese" else "an"
        return (
            f"{other} text on {article} {language} page {self.url}: {' '.join(self.offending)!r} "
            f"in <{self.chunk.where}> {text!r}"
        )


@dataclass
class LanguageChecker:
    """Checks HTML answers; ``findings`` holds one entry per offending text (first page seen).

    ``data_words(refresh)`` answers the words and Chinese runs that are data (from the
    database); it is asked only when a page holds a candidate, and asked to refresh once when
    a candidate is not in the answer it gave before (data grows while a test runs)."""

    data_words: Callable[[bool], tuple[set[str], str]] | None = None
    allowed: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    typed: str = ""
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _cache: tuple[set[str], str] | None = None

    def allow(self, *texts: str) -> None:
        """Allow these words (English) or texts (Chinese) on every page of this test."""
        for text in texts:
            self.allowed.add(text)
            self.allowed.update(w.lower() for w in WORD.findall(text))

    def _data(self, refresh: bool) -> tuple[set[str], str]:
        if self.data_words is None:
            return set(), ""
        if self._cache is None or refresh:
            self._cache = self.data_words(refresh)
        return self._cache

    def _is_data(self, candidates: Iterable[str], english: bool) -> list[str]:
        """The candidates that are not data."""
        left = list(candidates)
        for refresh in (False, True):
            if not left:
                break
            words, text = self._data(refresh)
            if english:
                left = [w for w in left if w.lower() not in words]
            else:
                left = [r for r in left if r not in text]
        return left

    def offending(self, chunk: Chunk, typed: str = "") -> list[str]:
        """The words (or Chinese runs) of ``chunk`` in the other language; ``typed`` is what
        the person sent with the request (a search, a filter value): echoing it is no fault."""
        lang = family(chunk.lang)
        if lang == "zh":
            mine = {w.lower() for w in WORD.findall(typed)}
            found = [
                w
                for w in english_words(chunk.text)
                if w.lower() not in self.allowed and w.lower() not in mine
            ]
            return self._is_data(found, english=True) if found else []
        if lang == "en":
            found = [
                r for r in chinese_runs(chunk.text) if r not in typed and not self._allowed_run(r)
            ]
            return self._is_data(found, english=False) if found else []
        return []

    def note_typed(self, typed: str) -> None:
        """Remember what the person sent (also with a request whose answer is a redirect)."""
        if typed:
            self.typed = f"{self.typed}\n{typed}"[-200_000:]

    def lower_case_start(self, chunk: Chunk, typed: str = "") -> str:
        """The first word of an English label that starts in lower case ("" if none)."""
        if not chunk.label or family(chunk.lang) != "en":
            return ""
        first = SEPARATOR.split(chunk.text.strip(TOKEN_EDGE + " "), maxsplit=1)[0]
        first = first.strip(TOKEN_EDGE)
        if not first or not ("a" <= first[0] <= "z") or first.startswith("."):
            return ""
        if CODE_TOKEN.fullmatch(first) or any(c.isupper() for c in first[1:]):
            return ""  # a code, an address, iPhone
        word = WORD.match(first)
        if word is None or len(word.group()) < 2:
            return ""  # a key or a letter ("x" closes a dialog)
        lower = word.group().lower()
        if lower in PROPER_NAMES or lower in self.allowed or lower in typed.lower().split():
            return ""
        return first if self._is_data([word.group()], english=True) else ""

    def _allowed_run(self, run: str) -> bool:
        return any(run in text for text in self.allowed)

    def check_html(self, url: str, html: str, lang: str = "", typed: str = "") -> list[Finding]:
        """Check one HTML answer; ``typed``: the request's query string and form data (or the
        text of a file sent). What the person sent during the test is data on every later page
        (a CSV's English headers named in the import's preview, a search echoed)."""
        self.note_typed(typed)
        typed = self.typed
        page_lang, chunks = chunks_of(html, lang)
        new: list[Finding] = []
        for chunk in chunks:
            key = (chunk.lang, chunk.text)
            if key in self._seen:
                continue
            self._seen.add(key)
            bad = self.offending(chunk, typed)
            if bad:
                new.append(Finding(url, chunk.lang or page_lang, chunk, bad))
            small = self.lower_case_start(chunk, typed)
            if small:
                new.append(Finding(url, chunk.lang or page_lang, chunk, [small], capital=True))
        self.findings.extend(new)
        return new


def database_words(refresh: bool = False) -> tuple[set[str], str]:
    """Words (lower case) and Chinese texts stored in the database: logins, names, titles…

    Read from every text column of every model except the framework's own tables
    (permissions, content types, sessions), whose English names are not data people typed, and
    columns with choices (codes). Returns (set of lower-case Latin words, Chinese texts joined).
    """
    from django.apps import apps
    from django.db import models

    # Text the system writes itself (codes, generated messages, secrets), not data people typed.
    system = {
        "auth.permission",
        "contenttypes.contenttype",
        "sessions.session",
        "django_tasks_database.dbtaskresult",
        "core.auditchain",
        "notify.notification",
        "notify.inboxmessage",
        "notify.delivery",
        "workorders.slaevent",
    }
    # the audit trail: names of deleted objects, and the Chinese of former values (its English
    # words are codes — a status "open" shown raw on a Chinese page is a fault, not data)
    only = {"core.auditrecord": {"object_repr", "actor_name"}}
    chinese_only = {"core.auditrecord": ("changes", "extra")}
    secret = re.compile(r"password|key|hash|seal|digest|token|secret|encrypted|prefix|session")
    words: set[str] = set()
    chinese: list[str] = []

    def add(value: object) -> None:
        if isinstance(value, str):
            if value:
                words.update(w.lower() for w in WORD.findall(value))
                chinese.extend(CJK.findall(value))
        elif isinstance(value, dict):
            for v in value.values():
                add(v)
        elif isinstance(value, list | tuple):
            for v in value:
                add(v)

    for model in apps.get_models():
        meta = model._meta
        if meta.label_lower in system or meta.app_label == "tasks" or meta.proxy:
            continue
        names = [
            f.attname
            for f in meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
            and not secret.search(f.name)
            and f.name in only.get(meta.label_lower, {f.name})
        ]
        if not names:
            continue
        for row in model._default_manager.values_list(*names):
            for value in row:
                add(value)
        for name in chinese_only.get(meta.label_lower, ()):
            for value in model._default_manager.values_list(name, flat=True):
                chinese.extend(CJK.findall(str(value)))
    return words, "\x00".join(chinese)
