"""Demo content in several languages, built from the generated samples in var/samples.

The recordings are made by :mod:`media_pipeline.samples` (docs/samples.md) on first use:
Vietnamese speech from espeak-ng over a tone bed, and ffmpeg test patterns, standing in
for real recordings. espeak-ng has no Khmer or Tày voice, so the Khmer and Tày versions
carry a machine-made tone bed without speech (and the Khmer video no burned-in text);
each page says so in its own language. Loading is idempotent: running it again changes
nothing.
"""

from __future__ import annotations

import datetime
import json
import secrets
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import SegmentOverride, Translation, TranslationContext
from wagtail_localize.operations import TranslationCreator

from cms.content.models import (
    ExhibitionItem,
    ExhibitionPage,
    HomePage,
    RadioSegmentPage,
    SectionIndexPage,
    VideoPage,
)
from cms.content.signals import demo_users_ready
from cms.media.models import CustomDocument, CustomImage, MediaMaster
from cms.media.uploads import master_from_file
from cms.taxonomy.models import (
    AdministrativeUnit,
    Audience,
    Channel,
    ProducingUnit,
    ProductType,
    Topic,
)
from media_pipeline.samples import ensure_samples

User = get_user_model()
SYNTHETIC_NOTE = (
    "Bản ghi trong nội dung mẫu là giọng đọc tổng hợp trên nền âm, thay cho bản ghi thật."
)
#: No Tày synthetic voice exists, so the Tày recording is a tone bed (said in Vietnamese,
#: as the Tày text itself still waits for its translator).
TYZ_TONE_NOTE = (
    "Bản ghi của bản tiếng Tày là nhạc nền do máy tạo, không có lời đọc, "
    "vì chưa có giọng đọc tổng hợp tiếng Tày."
)
#: The same for Khmer, in Khmer: "the sample sound is machine-made music without speech,
#: because there is no Khmer synthetic voice yet".
KM_TONE_NOTE = "សំឡេងគំរូនេះជាភ្លេងដែលបង្កើតដោយម៉ាស៊ីន គ្មានការនិយាយ ព្រោះមិនទាន់មានសំឡេងសំយោគភាសាខ្មែរ។"


def samples_dir() -> Path:
    """The generated sample media (made on the first load, then reused)."""
    return ensure_samples(Path(settings.VAR_DIR) / "samples")


def credentials_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.json"


def ensure_users() -> dict[str, str]:
    """A superuser and one user per editorial role, sharing one generated password."""
    path = credentials_file()
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        password = stored["password"]
    else:
        password = secrets.token_urlsafe(12)
    users = {
        "admin": "administrator",
        "phongvien": "reporter",
        "bientap": "editor",
        "lanhdao": "approver",
        "biendich": "translator",
    }
    roles: dict[Any, str] = {}
    for username, role in users.items():
        user, created = User.objects.get_or_create(username=username)
        if created or not path.exists():
            user.set_password(password)
            user.is_superuser = user.is_staff = username == "admin"
            user.save()
        roles[user] = role
    # The editorial app gives each user its role's group (cms.editorial.demo_roles).
    demo_users_ready.send(sender=None, roles=roles)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"password": password, "users": users}), encoding="utf-8")
    return {"password": password, **users}


def master(path: Path, title: str, language: str) -> MediaMaster:
    existing = MediaMaster.objects.filter(title=title, language=language).first()
    return existing or master_from_file(path, title, language)


def image(path: Path, title: str, credit: str = "") -> CustomImage:
    existing: CustomImage | None = CustomImage.objects.filter(title=title).first()
    if existing:
        return existing
    with path.open("rb") as handle:
        img = CustomImage(title=title, credit=credit, file=File(handle, name=path.name))
        img.save()
    return img


def document(path: Path, title: str, language: str) -> CustomDocument:
    existing: CustomDocument | None = CustomDocument.objects.filter(title=title).first()
    if existing:
        return existing
    with path.open("rb") as handle:
        doc = CustomDocument(title=title, language=language, file=File(handle, name=path.name))
        doc.save()
    return doc


def metadata(product_type: str, topics: list[str]) -> dict[str, Any]:
    vi = Locale.objects.get(language_code="vi")
    return {
        "product_type": ProductType.objects.get(code=product_type, locale=vi),
        "producing_unit": ProducingUnit.objects.get(code="so-vhttdl", locale=vi),
        "funding_source": "state_budget",
        "rights": "cc_by_4",
        "retention_period": "permanent",
        "access_level": "public",
        "production_date": datetime.date(2025, 9, 15),
        "_m2m": {
            "topics": list(Topic.objects.filter(code__in=topics, locale=vi)),
            "audiences": list(
                Audience.objects.filter(
                    code__in=["general-public", "ethnic-minority-communities"], locale=vi
                )
            ),
            "channels": list(
                Channel.objects.filter(
                    code__in=["commune-loudspeaker", "web-portal", "digital-board"], locale=vi
                )
            ),
            "coverage": list(AdministrativeUnit.objects.filter(code__in=["P2025-20", "P-20"])),
        },
    }


def add_item(parent: Page, page: Page, meta: dict[str, Any], user: Any) -> Page:
    m2m = meta.pop("_m2m")
    for key, value in meta.items():
        setattr(page, key, value)
    for key, values in m2m.items():
        getattr(page, key).set(values)
    parent.add_child(instance=page)
    page.save_revision(user=user).publish()
    return page


def translate(
    page: Page, language: str, strings: dict[str, str], overrides: dict[str, int], user: Any
) -> Page:
    """Translate through wagtail-localize, as a translator would: PO import plus
    per-language overrides (the language's own recording)."""
    locale = Locale.objects.get(language_code=language)
    existing = page.get_translation_or_none(locale)
    if existing is not None and existing.live:
        return existing
    TranslationCreator(user, [locale]).create_translations(page)
    translation = Translation.objects.get(
        source__object_id=page.translation_key, target_locale=locale
    )
    po = translation.export_po()
    # The PO export writes line breaks in plain text fields as <br/>.
    lookup = {source.replace("\n", "<br/>"): target for source, target in strings.items()}
    for entry in po:
        if entry.msgid in lookup:
            entry.msgstr = lookup[entry.msgid].replace("\n", "<br/>")
    translation.import_po(polib.pofile(str(po)), user=user)
    for field_path, value in overrides.items():
        context = TranslationContext.objects.get(object_id=page.translation_key, path=field_path)
        SegmentOverride.objects.update_or_create(
            locale=locale, context=context, defaults={"data_json": json.dumps(value)}
        )
    translation.save_target(user=user, publish=True)
    return page.get_translation(locale)


#: The home page's and sections' title and introduction in each translated language, keyed
#: by the Vietnamese text (issue 14: 2).
CHROME_TRANSLATIONS: dict[str, dict[str, str]] = {
    "en": {
        "Thông tin tuyên truyền về quyền con người": "Human rights information",
        "Phát thanh, video và triển lãm của các cơ quan, đơn vị trong tỉnh.": (
            "Radio, video and exhibitions by the province's agencies."
        ),
        SYNTHETIC_NOTE: (
            "The recordings in the demo content are synthetic speech over a tone bed, "
            "standing in for real recordings."
        ),
        "Phát thanh": "Radio",
        "Phóng sự, kịch truyền thanh, tiểu phẩm, bản tin.": (
            "Reports, radio dramas, skits and bulletins."
        ),
        "Video": "Video",
        "Video cho bảng tin điện tử và trang thông tin.": (
            "Videos for digital information boards and websites."
        ),
        "Triển lãm": "Exhibitions",
        "Triển lãm ảnh và tranh cổ động lưu động.": "Touring photo and poster exhibitions.",
    },
    "zh-hans": {
        "Thông tin tuyên truyền về quyền con người": "人权信息宣传",
        "Phát thanh, video và triển lãm của các cơ quan, đơn vị trong tỉnh.": (
            "本省各机关、单位制作的广播、视频和展览。"
        ),
        SYNTHETIC_NOTE: "示例内容中的录音是配有背景音的合成语音，代替真实录音。",
        "Phát thanh": "广播",
        "Phóng sự, kịch truyền thanh, tiểu phẩm, bản tin.": "专题报道、广播剧、小品、新闻简报。",
        "Video": "视频",
        "Video cho bảng tin điện tử và trang thông tin.": "用于电子信息屏和网站的视频。",
        "Triển lãm": "展览",
        "Triển lãm ảnh và tranh cổ động lưu động.": "巡回图片和宣传画展览。",
    },
    "km": {
        "Thông tin tuyên truyền về quyền con người": "ព័ត៌មានផ្សព្វផ្សាយអំពីសិទ្ធិមនុស្ស",
        "Phát thanh, video và triển lãm của các cơ quan, đơn vị trong tỉnh.": (
            "វិទ្យុ វីដេអូ និងការតាំងពិព័រណ៍របស់ស្ថាប័ន និងអង្គភាពនានាក្នុងខេត្ត។"
        ),
        SYNTHETIC_NOTE: "សំឡេងក្នុងខ្លឹមសារគំរូជាសំឡេងសំយោគលើភ្លេង ជំនួសការថតពិត។",
        "Phát thanh": "វិទ្យុ",
        "Phóng sự, kịch truyền thanh, tiểu phẩm, bản tin.": (
            "របាយការណ៍ ល្ខោនវិទ្យុ រឿងកំប្លែងខ្លី និងព្រឹត្តិបត្រព័ត៌មាន។"
        ),
        "Video": "វីដេអូ",
        "Video cho bảng tin điện tử và trang thông tin.": ("វីដេអូសម្រាប់ក្តារព័ត៌មានឌីជីថល និងគេហទំព័រ។"),
        "Triển lãm": "ការតាំងពិព័រណ៍",
        "Triển lãm ảnh và tranh cổ động lưu động.": ("ការតាំងពិព័រណ៍រូបថត និងផ្ទាំងរូបភាពឃោសនាចល័ត។"),
    },
}


def chrome_strings(page: Page, code: str) -> dict[str, str]:
    """Title and introduction of a home or section page in ``code``: translated where the
    team has a translation, otherwise none (the Vietnamese text is kept)."""
    specific = page.specific
    texts = [specific.title, getattr(specific, "intro", "")]
    table = CHROME_TRANSLATIONS.get(code)
    strings: dict[str, str] = {}
    for text in filter(None, texts):
        if table is not None:
            # Sentence by sentence: the intro joins a sentence and the demo note.
            parts = [part for part in table if part in text]
            translated = text
            for part in sorted(parts, key=len, reverse=True):
                translated = translated.replace(part, table[part])
            strings[text] = translated
        # Otherwise the Vietnamese text stays: the page's template marks it as not translated
        # (``untranslated``), in no words of a language nobody here writes (issue 14: 2).
    return strings


def load(stdout: Any = None) -> dict[str, str]:
    samples = samples_dir()
    users = ensure_users()
    admin = User.objects.get(username="admin")
    vi = Locale.objects.get(language_code="vi")
    site = Site.objects.get(is_default_site=True)
    home = HomePage.objects.filter(locale=vi).first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title="Thông tin tuyên truyền về quyền con người",
            slug="trang-chu",
            locale=vi,
            intro="Phát thanh, video và triển lãm của các cơ quan, đơn vị trong tỉnh. "
            + SYNTHETIC_NOTE,
        )
        root.add_child(instance=home)
        home.save_revision(user=admin).publish()
        old_root = site.root_page
        site.root_page = home
        site.save()
        if old_root.pk != home.pk and not isinstance(old_root.specific, HomePage):
            old_root.delete()

    def section(title: str, slug: str, intro: str) -> SectionIndexPage:
        found: SectionIndexPage | None = (
            SectionIndexPage.objects.child_of(home).filter(slug=slug).first()
        )
        if found:
            return found
        page = SectionIndexPage(title=title, slug=slug, intro=intro)
        home.add_child(instance=page)
        page.save_revision(user=admin).publish()
        return page

    radio = section("Phát thanh", "phat-thanh", "Phóng sự, kịch truyền thanh, tiểu phẩm, bản tin.")
    videos = section("Video", "video", "Video cho bảng tin điện tử và trang thông tin.")
    exhibitions = section("Triển lãm", "trien-lam", "Triển lãm ảnh và tranh cổ động lưu động.")
    # Home and sections in every content language: translated, or marked as not translated.
    for code, _name in settings.LANGUAGES:
        if code != "vi":
            for parent in (home, radio, videos, exhibitions):
                translate(parent, code, chrome_strings(parent, code), {}, admin)

    if not RadioSegmentPage.objects.filter(slug="quyen-tre-em-o-thon-ban").exists():
        audio_vi = master(samples / "vi_segment_48k_stereo.wav", "Quyền trẻ em ở thôn bản", "vi")
        segment = RadioSegmentPage(
            title="Quyền trẻ em ở thôn bản",
            slug="quyen-tre-em-o-thon-ban",
            summary="Phóng sự về việc bảo đảm quyền học tập và vui chơi của trẻ em vùng cao. "
            + SYNTHETIC_NOTE,
            audio=audio_vi,
            script="Phát thanh viên: Kính thưa bà con, mọi trẻ em đều có quyền được học tập, "
            "vui chơi và được bảo vệ.\nPhóng viên: Tại các thôn bản vùng cao, ...",
            credits="Phóng viên: Nguyễn Văn A; biên tập: Trần Thị B",
            bulletin_class="normal",
        )
        add_item(radio, segment, metadata("radio_report", ["crc", "ethnic-minorities"]), admin)
    segment = RadioSegmentPage.objects.get(slug="quyen-tre-em-o-thon-ban", locale=vi)
    # No Khmer or Tày voice exists for espeak-ng: their recordings are tone beds.
    audio_km = master(samples / "km_tone_bed.ogg", "Quyền trẻ em ở thôn bản (tiếng Khmer)", "km")
    audio_tyz = master(samples / "tyz_tone_bed.ogg", "Quyền trẻ em ở thôn bản (tiếng Tày)", "tyz")
    for target in ("km", "tyz"):  # parents first, so the translated page has a home
        for parent in (home, radio):
            translate(parent, target, {}, {}, admin)
    translate(
        segment,
        "km",
        {
            "Quyền trẻ em ở thôn bản": "សិទ្ធិកុមារនៅតាមភូមិ",
            segment.summary: "របាយការណ៍អំពីការធានាសិទ្ធិសិក្សា និងការលេងកម្សាន្តរបស់កុមារ។ " + KM_TONE_NOTE,
            segment.script: "អ្នកប្រកាស៖ ជម្រាបសួរបងប្អូន កុមារគ្រប់រូបមានសិទ្ធិសិក្សា លេងកម្សាន្ត និងទទួលការការពារ។",
        },
        {"audio": audio_km.pk},
        admin,
    )
    translate(
        segment,
        "tyz",
        {
            "Quyền trẻ em ở thôn bản": "Quyền trẻ em ở thôn bản (bản tiếng Tày)",
            segment.summary: "Bản tiếng Tày: văn bản đang chờ biên dịch viên; bản ghi âm riêng. "
            + TYZ_TONE_NOTE,
        },
        {"audio": audio_tyz.pk},
        admin,
    )

    if not VideoPage.objects.filter(slug="bao-cao-quyen-con-nguoi").exists():
        video = VideoPage(
            title="Bảo đảm quyền con người ở cơ sở",
            slug="bao-cao-quyen-con-nguoi",
            summary="Video cho bảng tin điện tử, có phụ đề tiếng Việt và tiếng Khmer. "
            + SYNTHETIC_NOTE,
            video=master(samples / "vi_report_1080p.mp4", "Bảo đảm quyền con người ở cơ sở", "vi"),
            subtitles=document(samples / "vi_report.vi.srt", "Phụ đề tiếng Việt", "vi"),
            transcript="Lời dẫn: Bảo đảm quyền con người là trách nhiệm của cả hệ thống chính trị.",
        )
        add_item(videos, video, metadata("video", ["human-rights-general", "iccpr"]), admin)
    video = VideoPage.objects.get(slug="bao-cao-quyen-con-nguoi", locale=vi)
    km_subs = document(samples / "vi_report.km.srt", "Phụ đề tiếng Khmer", "km")
    # Test bars and a tone bed: no Vietnamese speech, no text burned into the picture.
    km_video = master(
        samples / "km_test_pattern_720p.mp4", "Bảo đảm quyền con người ở cơ sở (tiếng Khmer)", "km"
    )
    translate(videos, "km", {}, {}, admin)
    translate(
        video,
        "km",
        {
            "Bảo đảm quyền con người ở cơ sở": "ការធានាសិទ្ធិមនុស្សនៅមូលដ្ឋាន",
            video.summary: "វីដេអូសម្រាប់ក្តារព័ត៌មានឌីជីថល មានចំណងជើងរងជាភាសាខ្មែរ។ "
            "រូបភាពជាលំនាំសាកល្បង។ " + KM_TONE_NOTE,
            video.transcript: "វីដេអូនេះគ្មានការនិយាយទេ មានតែភ្លេងដែលបង្កើតដោយម៉ាស៊ីន។",
        },
        {"video": km_video.pk, "subtitles": km_subs.pk},
        admin,
    )

    if not ExhibitionPage.objects.filter(slug="anh-va-tranh-co-dong").exists():
        exhibition = ExhibitionPage(
            title="Ảnh và tranh cổ động về bình đẳng giới",
            slug="anh-va-tranh-co-dong",
            summary="Triển lãm lưu động tại các xã, chú thích song ngữ Việt – Anh.",
            place="Nhà văn hóa xã Cao Lộc",
        )
        for title, sample, caption in (
            (
                "Ảnh tư liệu: buổi sinh hoạt cộng đồng",
                "photo_3000x2000.jpg",
                "Buổi sinh hoạt cộng đồng về bình đẳng giới.",
            ),
            (
                "Tranh cổ động: bình đẳng giới",
                "poster_cmyk.jpg",
                "Tranh cổ động: nam nữ bình đẳng trong gia đình.",
            ),
        ):
            exhibition.items.add(
                ExhibitionItem(
                    image=image(samples / sample, title, "Sở VHTTDL"),
                    caption=caption,
                    credit="Sở VHTTDL",
                    locale=vi,
                )
            )
        add_item(
            exhibitions, exhibition, metadata("exhibition", ["gender-equality", "cedaw"]), admin
        )
    exhibition = ExhibitionPage.objects.get(slug="anh-va-tranh-co-dong", locale=vi)
    for parent in (home, exhibitions):
        translate(parent, "en", {}, {}, admin)
    translate(
        exhibition,
        "en",
        {
            "Ảnh và tranh cổ động về bình đẳng giới": "Photos and posters on gender equality",
            "Triển lãm lưu động tại các xã, chú thích song ngữ Việt – Anh.": (
                "A touring exhibition in the communes, captioned in Vietnamese and English."
            ),
            "Buổi sinh hoạt cộng đồng về bình đẳng giới.": (
                "A community meeting on gender equality."
            ),
            "Tranh cổ động: nam nữ bình đẳng trong gia đình.": (
                "Poster: men and women are equal in the family."
            ),
        },
        {},
        admin,
    )
    # Every content language gets a home page, so each URL prefix works.
    for code, _name in settings.LANGUAGES:
        if code != "vi":
            translate(home, code, {}, {}, admin)
    return users
