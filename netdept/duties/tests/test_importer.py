"""The importer splits a site's regulation text into its articles by its own numbering.

The seed (``<repo>/../shared/seeds/000_eac573ee64641198.txt``, the twenty-odd regulations
NetDept was made from) is split document by document: each gives exactly the articles it
numbers, labelled as the text numbers them, and nothing of its text is lost. Where the seed
folder is absent the seed tests are skipped, saying so. .txt (UTF-8, GB18030) and .docx
(Word's automatic numbering written out) are read without a new dependency."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from netdept.duties import importer
from netdept.duties.importer import cn_number, cn_numeral, read_upload, split_text

REPO = Path(__file__).resolve().parents[3]  # netdept/duties/tests/ → the repository
SEEDS = REPO.parent / "shared" / "seeds"
SEED = SEEDS / "000_eac573ee64641198.txt"

#: every document of the seed (lines as in seeds/README.md, the hosting site's boilerplate
#: around lines 771–774 and 931 left out) and the labels it must split into, in order
DOCUMENTS: list[tuple[int, int, str]] = [
    (5, 38, "第一条..第十五条"),
    (39, 86, "第一条..第五条"),
    (87, 132, "第一条..第二十一条"),
    (133, 154, "第一条..第九条"),
    (155, 196, "第一条..第十九条"),
    (197, 246, "一 二 三 四 五"),
    (247, 286, "第一条..第十八条"),
    (
        287,
        338,
        "第一节 第二节-1 第二节-2 第二节-3 第二节-4 第三节-1 第三节-2 第三节-3 第四节-1 "
        "第四节-2 第四节-3 第四节-4 第五节-1 第五节-2 第五节-3 第五节-4 第六节-1 第六节-2 "
        "第六节-3 第七节-1 第七节-2 第七节-3 第七节-4 第八节-1",
    ),
    (339, 382, "第一条..第十九条"),
    (383, 420, "1.1 1.2 1.3 2.1 2.2 2.3 3.1 3.2 3.3 3.4 3.5 4.1 4.2 4.3 4.4 5.1 5.2"),
    (
        421,
        440,
        "一 二 三-1 三-2 三-3 三-4 三-5 三-6 三-7 四-1 四-2 四-3 四-4 四-5 四-6 四-7 五-1 五-2 "
        "五-3 五-4 五-5 六-1 六-2 六-3 六-4 六-5 七-1 七-2 七-3 七-4",
    ),
    (441, 480, "第一条..第二十条"),
    (481, 528, "第一条..第十三条"),
    (
        529,
        554,
        "第一章 第二章 第三章-1 第三章-2 第三章-3 第四章 第四章-1 第四章-2 第四章-3 第五章 "
        "第五章-1 第五章-2 第五章-3 第五章-4 第六章 第六章-1 第六章-2 第六章-3 第七章 "
        "第七章-1 第七章-2 第七章-3 第七章-4",
    ),
    (555, 592, "第1篇 1 2 3 4 5 6 7 8 9 10 11 12 13 14"),
    (593, 632, "第一条..第十八条"),
    (
        633,
        672,
        "第1篇-一 第1篇-二 第1篇-三 第1篇-四 第1篇-五 第1篇-六 第1篇-七 第2篇 第2篇-一-1 "
        "第2篇-一-2 第2篇-一-3 第2篇-一-4",
    ),
    (673, 712, "第一条..第十八条"),
    (713, 742, "1 2 3 4 5 6 7 8 9 10"),
    (
        743,
        770,
        "第1篇 一 二 二-(一) 二-(二) 二-(三) 二-(四) 二-(五) 二-(六) 二-(一)-2 二-(二)-2 "
        "三-(一) 三-(二)",
    ),
    (
        775,
        930,
        "一-1 一-2 一-3 一-4 一-5 一-6 一-7 一-8 一-9 一-10 二-1 二-2 二-3 二-4 二-5 二-6 二-7 "
        "二-8 第一条..第十条 四-(一) 四-(二) 四-(三) 四-(四) 四-(五) 四-(六) 四-(七) 四-(八) "
        "四-(九) 四-(十) 四-(十一) 四-(十二) 四-(十三)",
    ),
]


def expand(spec: str) -> list[str]:
    """ "第一条..第三条 一" → 第一条 第二条 第三条 一."""
    labels: list[str] = []
    for word in spec.split():
        if ".." in word:
            first, last = word.split("..")
            a, b = cn_number(first[1:-1]), cn_number(last[1:-1])
            labels += [f"第{cn_numeral(i)}条" for i in range(a, b + 1)]
        else:
            labels.append(word)
    return labels


def seed_lines() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"the seed file is absent ({SEED}): the seed documents are not split here")
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize(("first", "last", "spec"), DOCUMENTS, ids=[str(d[0]) for d in DOCUMENTS])
def test_every_seed_document_splits_into_its_numbered_articles(
    first: int, last: int, spec: str
) -> None:
    lines = seed_lines()
    text = "\n".join(lines[first - 1 : last])
    result = split_text(text, first_line=first)
    assert [a.label for a in result.articles] == expand(spec)
    # each article starts on a line of its document, in order, with text of its own
    starts = [a.line for a in result.articles]
    assert starts == sorted(starts) and all(first <= n <= last for n in starts)
    assert all(a.text.strip() for a in result.articles)
    assert [a.position for a in result.articles] == list(range(1, len(result.articles) + 1))
    # nothing of the text is lost: the end of every line is in an article, its chapter, the
    # preamble or the title
    pieces = [result.title, result.preamble]
    pieces += [piece for a in result.articles for piece in (a.chapter, a.text)]
    kept = re.sub(r"\s", "", "".join(pieces))
    for n, line in enumerate(lines[first - 1 : last], start=first):
        tail = re.sub(r"\s", "", line)[-6:]
        if len(tail) == 6:
            assert tail in kept, f"line {n}: {line[:40]}… is missing"


def test_the_seed_text_of_a_known_article() -> None:
    lines = seed_lines()
    result = split_text("\n".join(lines[774:930]), first_line=775)
    by_label = {a.label: a for a in result.articles}
    eighth = by_label["第八条"]
    assert eighth.line == 868
    assert eighth.text == "每周一按时交2篇新闻稿至行政部,逾期未交稿罚款10元/篇。"
    assert eighth.chapter == "三、网络部工作制度"
    # an item's sub-items stay in its text: 二-2's 1)…7)
    assert "6)每周编写两篇公司新闻,周一上交给行政部。" in by_label["二-2"].text
    # "5:00" and "15天" are text, not numbering
    assert "每周日5:00之前" in by_label["第七条"].text


def test_markers_inside_a_line_only_when_they_continue_their_list() -> None:
    text = (
        "第一章总则第一条为规范管理,依照第五条的规定制定本制度。\n"
        "第二条本制度适用于:1. 网络组;2. 安全组。每天5:00前上交,罚款10元。\n"
        "第三条其他。"
    )
    result = split_text(text, title="某制度")
    assert [a.label for a in result.articles] == ["第一条", "第二条", "第三条"]
    assert "依照第五条的规定" in result.articles[0].text
    assert (
        result.articles[1].text == "本制度适用于:\n1.网络组;\n2.安全组。每天5:00前上交,罚款10元。"
    )
    assert result.articles[0].chapter == "第一章 总则"


def test_paren_numbering_full_and_half_width() -> None:
    result = split_text("一、总则\n（一）第一项\n(二)第二项\n二、附则\n本制度自发布之日起施行。")
    assert [a.label for a in result.articles] == ["一-(一)", "一-(二)", "二"]


def test_a_repeated_label_is_renamed_and_said() -> None:
    result = split_text("1. 甲\n2. 乙\n说明如下:\n1. 丙")
    assert [a.label for a in result.articles] == ["1", "2", "1-2"]
    assert len(result.warnings) == 1 and "1-2" in result.warnings[0]


def test_text_without_numbering_is_one_article() -> None:
    result = split_text("机房内严禁吸烟。\n外来人员须登记。")
    assert [a.label for a in result.articles] == ["1"]
    assert result.warnings


def test_cn_numbers() -> None:
    assert [cn_number(s) for s in ("一", "十", "十一", "二十", "二十一", "一百零五", "12")] == [
        1, 10, 11, 20, 21, 105, 12,
    ]  # fmt: skip
    assert [cn_numeral(n) for n in (1, 10, 11, 20, 21, 105, 110)] == [
        "一", "十", "十一", "二十", "二十一", "一百零五", "一百一十",
    ]  # fmt: skip


# --- files ----------------------------------------------------------------------------------------
def test_txt_in_utf8_and_gb18030() -> None:
    text = "第一条 每天写工作日志。\n第二条 每周一交两篇新闻稿。"
    assert read_upload("制度.txt", text.encode("utf-8")) == text
    assert read_upload("制度.TXT", text.encode("gb18030")) == text
    assert read_upload("制度.txt", b"\xef\xbb\xbf" + text.encode("utf-8")) == text


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(paragraphs: list[tuple[str, int | None]], numbering: str | None = None) -> bytes:
    """A minimal .docx: paragraphs (text, numbered at level or None)."""
    body = []
    for text, level in paragraphs:
        ppr = (
            f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="1"/></w:numPr></w:pPr>'
            if level is not None
            else ""
        )
        body.append(f"<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}>'
        f"<w:body>{''.join(body)}</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", document)
        if numbering:
            zf.writestr("word/numbering.xml", numbering)
    return buf.getvalue()


NUMBERING = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}>'
    '<w:abstractNum w:abstractNumId="7">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
    '<w:lvlText w:val="第%1条"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    '<w:lvlText w:val="%2."/></w:lvl>'
    '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num></w:numbering>'
)


def test_docx_with_typed_and_automatic_numbering() -> None:
    data = make_docx(
        [
            ("网络部管理制度", None),
            ("第一章 总则", None),
            ("为规范网络部管理，特制定本制度。", 0),
            ("网络部职责如下：", 0),
            ("负责网络设备维护；", 1),
            ("负责安全管理。", 1),
            ("每周一交两篇新闻稿，逾期罚款10元/篇。", 0),
        ],
        NUMBERING,
    )
    text = read_upload("制度.docx", data)
    assert text.splitlines()[2] == "第一条为规范网络部管理，特制定本制度。"
    result = split_text(text)
    assert result.title == "网络部管理制度"
    assert [a.label for a in result.articles] == ["第一条", "第二条", "第三条"]
    assert result.articles[1].text == "网络部职责如下：\n1.负责网络设备维护；\n2.负责安全管理。"
    assert result.articles[0].chapter == "第一章 总则"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("制度.pdf", b"%PDF-1.4", "请上传 .txt 或 .docx 文件（当前文件为“制度.pdf”）"),
        ("制度.docx", b"not a zip", "不是 Word 文档"),
        ("制度.txt", b"\x00\x01binary", "不是文本文件"),
        ("制度.txt", b"   \n ", "文件中没有文字"),
        ("制度.txt", b"\x81\x30\xff\xfe\xfd", "既不是 UTF-8 也不是 GB18030"),
    ],
)
def test_bad_files_are_refused_naming_the_file_field(name: str, data: bytes, message: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        read_upload(name, data)
    assert list(exc.value.message_dict) == ["file"]
    assert message in exc.value.message_dict["file"][0]


def test_a_docx_with_a_dtd_is_refused() -> None:
    data = make_docx([("第一条 甲", None)])
    evil = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(evil, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "word/document.xml":
                body = body.replace(
                    b"<w:document", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><w:document', 1
                )
            dst.writestr(info.filename, body)
    with pytest.raises(ValidationError) as exc:
        read_upload("制度.docx", evil.getvalue())
    assert "file" in exc.value.message_dict


def test_too_large_files_and_texts_are_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        read_upload("制度.txt", b"a" * (importer.MAX_UPLOAD_BYTES + 1))
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        split_text("甲" * (importer.MAX_SOURCE_TEXT + 1))
    assert "source_text" in exc.value.message_dict
