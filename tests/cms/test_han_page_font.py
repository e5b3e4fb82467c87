"""A Chinese page links a font subset of exactly its own characters (issue 14: 6, 8):
signed, bounded, cut once and kept on disk, and small for text the demo never had."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from fontTools.ttLib import TTFont

from cms.i18n import fonts, han_page_font

#: Text no demo page has: a long paragraph of varied characters (weather, farming, health,
#: law, markets, school), about 330 distinct Han characters.
UNSEEN = (
    "气象台预报，本周北部山区将出现持续低温和霜冻天气，最低气温可能降到零度以下。"
    "农业技术人员提醒农户及时给蔬菜大棚加盖草帘，把耕牛和猪羊赶进避风的圈舍，"
    "并储备足够的饲料和干草。卫生院的医生建议老人和婴幼儿注意保暖，多喝温开水，"
    "出现咳嗽、发烧或呼吸困难时尽快就诊，不要自行服用抗生素。司法所的工作人员走进集市，"
    "用通俗易懂的语言讲解土地承包、婚姻登记和劳动合同方面的法律知识，"
    "解答群众关于借款纠纷、宅基地边界和外出务工工资拖欠的疑问。"
    "镇上的合作社收购了一批生姜、八角、桂皮和蜂蜜，价格比去年略有上涨，"
    "还通过网络直播把茶叶和竹编工艺品卖到了沿海城市。中学的图书馆新添了两千多册图书，"
    "包括科普读物、历史故事、诗歌散文和少数民族民间传说，周末免费向村民开放。"
    "消防队员演示了灭火器的使用方法，叮嘱大家冬季取暖时远离易燃物品，睡前检查炉灶和电线，"
    "发现火情立即拨打报警电话。邮政网点开通了快递代收服务，乡亲们足不出户就能寄送包裹。"
)


def unseen_html() -> str:
    return f'<html lang="zh-Hans"><body><h1>天气与生活</h1><p>{UNSEEN} ABC 123</p></body></html>'


def test_page_characters_exclude_the_core_and_latin() -> None:
    chars = han_page_font.page_codepoints("天气，天气。ABC 越南 Quyền “引号”")
    assert chars == sorted({ord(ch) for ch in "天气越南引号"})


def test_character_sets_round_trip_and_are_bounded() -> None:
    cps = han_page_font.page_codepoints(UNSEEN)
    assert len(cps) >= 250
    payload = han_page_font.encode(cps)
    assert han_page_font.decode(payload) == cps
    assert len(payload) < 2 * len(cps) + 8  # about 1.5 bytes of base64 a character
    too_many = list(range(0x4E00, 0x4E00 + han_page_font.MAX_CHARACTERS + 1))
    with pytest.raises(ValueError):
        han_page_font.decode(han_page_font.encode(too_many))


def test_a_page_gets_its_subset_and_the_shared_core() -> None:
    rules = han_page_font.declarations(unseen_html())
    assert rules.startswith("<style>") and fonts.HAN_CSS not in rules
    assert f"/static/fonts/{han_page_font.CORE_FILE}" in rules
    # The core, declared last, is tried first: ASCII and punctuation come from it.
    assert rules.index("/fonts/han/") < rules.index(han_page_font.CORE_FILE)
    core = TTFont(str(settings.FONT_BUILD_DIR / han_page_font.CORE_FILE))
    assert {ord(ch) for ch in "Az09，。“”、："} <= set(core.getBestCmap())
    assert (settings.FONT_BUILD_DIR / han_page_font.CORE_FILE).stat().st_size < 8 * 1024


def test_a_page_with_too_many_characters_falls_back_to_the_slices() -> None:
    html = "".join(chr(cp) for cp in range(0x4E00, 0x4E00 + han_page_font.MAX_CHARACTERS + 1))
    assert han_page_font.declarations(html) == han_page_font.slices_link()


def subset_url(html: str) -> str:
    rules = han_page_font.declarations(html)
    start = rules.index('src:url("') + len('src:url("')
    return rules[start : rules.index('"', start)]


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return Path(settings.VAR_DIR)


@pytest.mark.django_db
def test_unseen_text_gets_exactly_its_characters_in_a_small_file(
    var_dir: Path, client: Client
) -> None:
    url = subset_url(unseen_html())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "font/woff2"
    assert "immutable" in response["Cache-Control"]
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    held = set(TTFont(io.BytesIO(data)).getBestCmap())
    wanted = set(han_page_font.page_codepoints(unseen_html()))
    assert held == wanted
    # ~140 bytes a character: 330 characters in ~45 KB, where the slices took ~150 slices.
    assert len(data) < 170 * len(wanted), (len(data), len(wanted))
    cached = list((var_dir / "han-fonts").glob("*.woff2"))
    assert len(cached) == 1 and not list((var_dir / "han-fonts").glob("*.tmp"))


@pytest.mark.django_db
def test_a_set_is_cut_once(var_dir: Path, client: Client, monkeypatch: Any) -> None:
    url = subset_url("<p>山村儿童</p>")
    assert client.get(url).status_code == 200

    def no_cut(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("cut again")

    monkeypatch.setattr(fonts, "subset_bytes", no_cut)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_only_signed_sets_are_cut(var_dir: Path, client: Client) -> None:
    url = subset_url("<p>山村儿童</p>")
    forged_set = han_page_font.encode([0x4E00 + i for i in range(1000)])
    payload, signature = url.rsplit("/", 1)[1].removesuffix(".woff2").split(".")
    base = url.rsplit("/", 1)[0]
    assert client.get(f"{base}/{forged_set}.{signature}.woff2").status_code == 404
    assert client.get(f"{base}/{payload}.{signature[:-2]}xx.woff2").status_code == 404
    assert not (var_dir / "han-fonts").exists() or not list((var_dir / "han-fonts").iterdir())


def test_the_middleware_fills_in_chinese_pages_only() -> None:
    from django.http import HttpResponse

    link = han_page_font.slices_link()
    page = f"<html><head>{link}</head><body><p>山村儿童，你好</p></body></html>"

    def view(request: Any) -> HttpResponse:
        return HttpResponse(page if request.path == "/zh-hans/" else "<p>Xin chào</p>")

    middleware = han_page_font.HanPageFontMiddleware(view)
    response = middleware(RequestFactory().get("/zh-hans/"))
    html = response.content.decode()  # type: ignore[attr-defined]
    assert link not in html and "/fonts/han/" in html and han_page_font.CORE_FILE in html
    other = middleware(RequestFactory().get("/vi/"))
    assert other.content == "<p>Xin chào</p>".encode()  # type: ignore[attr-defined]
