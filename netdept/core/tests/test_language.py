"""One language at a time: the generated filters of a list page speak the page's language, and
the checker the browser tests run on every page finds the other language and nothing else."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from netdept.accounts.models import UserProfile
from netdept.core.registry import page_for
from netdept.testing.clients import ui_client
from netdept.testing.factories import UserFactory, user_with_perms
from netdept.testing.language import LanguageChecker, database_words
from netdept.workcal.models import CalendarOverride

pytestmark = pytest.mark.django_db

# The filter form of a generic list page: every <label> and every empty <option>.
LABEL = re.compile(r"<label[^>]*>([^<]*)</label>")
EMPTY_OPTION = re.compile(r'<option value=""[^>]*>([^<]*)</option>')


def filter_form(lang: str) -> tuple[list[str], list[str]]:
    user = user_with_perms(["workcal.view_calendaroverride"])
    UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
    page = page_for(CalendarOverride)
    assert page is not None
    r = ui_client(user).get(reverse(page.url_name("list")))
    assert r.status_code == 200
    html = r.content.decode()
    start = html.index('class="card card-body py-2 mb-3 nd-filters"')
    form = html[start : html.index("</form>", start)]
    labels = [" ".join(t.split()) for t in LABEL.findall(form)]
    return labels, [t.strip() for t in EMPTY_OPTION.findall(form)]


@pytest.mark.parametrize(
    ("lang", "date_from", "date_to", "everything"),
    [("zh-hans", "日期 从", "日期 到", "全部"), ("en", "Date from", "Date to", "All")],
)
def test_generated_filters_are_labelled_in_the_page_language(
    lang: str, date_from: str, date_to: str, everything: str
) -> None:
    labels, empties = filter_form(lang)
    assert date_from in labels, labels
    assert date_to in labels, labels
    assert not any("greater" in label or "less than" in label for label in labels), labels
    # the calendar (a link to a row) and "working day" (yes/no) offer "All", not "---------"
    assert len(empties) >= 2, empties
    assert set(empties) == {everything}, empties


def test_lookup_words_follow_the_active_language_not_the_first_request() -> None:
    """django-filter caches a filter's label per filter set instance, never across requests:
    Chinese first, then English, then Chinese again."""
    seen = [filter_form(lang)[0] for lang in ("zh-hans", "en", "zh-hans")]
    assert seen[0] == seen[2]
    assert "Date from" in seen[1]


# --- the checker of the browser tests (netdept.testing.language) -------------------------------

ZH_PAGE = """<!doctype html><html lang="zh-hans"><head><title>人员 · NetDept</title>
<script>var x = "not read";</script></head><body>
<label for="a">创建时间 is greater than or equal to</label>
<input type="submit" value="Save"><a href="#" title="Open the order">打开</a>
<button lang="en" data-lang="en">English</button>
<td>WO-20261201-0003 P1 zhangsan@example.org 10.0.0.1 Asia/Shanghai 岗位.csv user3 v2.1</td>
<td>导出 Excel（.xlsx）或 CSV，由 NetDept 发送到 DingTalk</td>
<td>模板语法，例如 {{ number }} {{ title }}</td>
<code>netdept audit verify --checkpoint FILE</code><span translate="no">Alice Smith</span>
<td>wangwu</td><td>{query}</td>
</body></html>"""


def test_the_checker_finds_english_on_a_chinese_page_and_nothing_else() -> None:
    checker = LanguageChecker(data_words=lambda refresh: ({"wangwu"}, ""))
    found = checker.check_html("/org/person/", ZH_PAGE.replace("{query}", "rack B"), "", "q=rack+B")
    assert [(f.chunk.where, " ".join(f.offending)) for f in found] == [
        ("label", "is greater than or equal to"),
        ("input[value]", "Save"),
        ("a[title]", "Open the order"),
    ]
    message = str(found[0])
    assert message.startswith("English text on a Chinese page /org/person/:"), message
    assert "'创建时间 is greater than or equal to'" in message and "<label>" in message


def test_the_checker_finds_chinese_ui_on_an_english_page_but_not_chinese_data() -> None:
    checker = LanguageChecker(data_words=lambda refresh: (set(), "张三\x00网络部"))
    html = (
        '<html lang="en"><h1>张三</h1><p>Team 网络部 of 网络部</p><th>历史</th>'
        '<button lang="zh-hans">简体中文</button><p>Separation of duties (三员)</p></html>'
    )
    found = checker.check_html("/org/person/1/", html)
    assert [f.offending for f in found] == [["历史"]]
    assert str(found[0]).startswith("Chinese text on an English page /org/person/1/: '历史'")


def test_the_checker_asks_for_fresh_data_before_it_complains() -> None:
    calls: list[bool] = []
    words = [set(), {"lisi"}]

    def data(refresh: bool) -> tuple[set[str], str]:
        calls.append(refresh)
        return words[len(calls) - 1 if len(calls) <= 2 else 1], ""

    checker = LanguageChecker(data_words=data)
    assert checker.check_html("/", '<html lang="zh-hans"><td>lisi</td></html>') == []
    assert calls == [False, True]
    checker.allow("Grafana")
    assert checker.check_html("/", '<html lang="zh-hans"><td>接入 Grafana 面板</td></html>') == []


def test_english_labels_start_with_a_capital() -> None:
    checker = LanguageChecker(data_words=lambda refresh: ({"zhangsan"}, ""))
    html = (
        '<html lang="en"><table><tr><th><a href="?sort=name">name</a></th><th>Team</th>'
        "<th>zhangsan</th></tr></table><label>e.g. this</label><h2>iPhone models</h2>"
        '<button aria-label="open the menu">x</button><p>lower case prose is fine</p></html>'
    )
    found = checker.check_html("/x/", html)
    assert [(f.capital, f.offending[0]) for f in found] == [(True, "name"), (True, "open")]
    assert "use |capfirst" in str(found[0])
    zh = checker.check_html("/x/", '<html lang="zh-hans"><th>名称</th></html>')
    assert zh == []


def test_database_words_are_data_people_typed_not_the_frameworks_names() -> None:
    user_with_perms([])  # a login, a person (人员N), a department (科室N)
    UserFactory(username="zhaoliu")
    words, chinese = database_words()
    assert "zhaoliu" in words and "人员" in chinese and "科室" in chinese
    assert "can" not in words  # "Can view work order": a permission's name is not data


def test_lists_of_words_are_joined_the_way_the_page_language_joins_them() -> None:
    from django.template import Context, Template
    from django.utils import translation

    from netdept.core import display, history

    shown = history.Shown((history.Value("网络"), history.Value("Printers")))
    template = Template(
        '{% load netdept %}{% include "core/_audit_value.html" %}|{{ roles|listed }}'
    )
    for lang, sep in (("zh-hans", "、"), ("en", ", ")):
        with translation.override(lang):
            assert display.joined(["A", "B"]) == f"A{sep}B"
            assert str(shown) == f"网络{sep}Printers"
            html = template.render(Context({"shown": shown, "roles": ["工程师", "组长"]}))
            parts = [part.strip() for part in html.split("|")]
            assert parts == [f"网络{sep}Printers", f"工程师{sep}组长"], html


def test_the_api_schema_leaves_the_pages_filter_labels_in_the_page_language() -> None:
    """The schema reads the form field of each choice filter of the class; a page's filters are
    built anew, in its language (not the field's name in English, cached by the schema)."""
    from netdept.notify.models import NotificationChannel
    from netdept.testing.clients import api_client

    user = user_with_perms(["notify.view_notificationchannel"])
    page = page_for(NotificationChannel)
    assert page is not None

    def labels(lang: str) -> list[str]:
        UserProfile.objects.update_or_create(user=user, defaults={"language": lang})
        html = ui_client(user).get(reverse(page.url_name("list"))).content.decode()
        start = html.index('class="card card-body py-2 mb-3 nd-filters"')
        return LABEL.findall(html[start : html.index("</form>", start)])

    assert api_client(user).get("/api/schema/", {"format": "json"}).status_code == 200
    chinese, english = labels("zh-hans"), labels("en")
    assert "类型" in chinese and "Kind" not in chinese, chinese
    assert "Kind" in english, english
