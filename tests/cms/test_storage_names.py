import unicodedata

import pytest

from cms.media.storage import safe_file_name


@pytest.mark.parametrize(
    "name",
    [
        "Quyền trẻ em.wav",
        "សិទ្ធិកុមារ.mp3",
        "សិទ្ធិ\u200bកុមារ.mp3",  # Khmer separates words with a zero-width space
        "ꨌꩌ ꨀꨇꩉ.ogg",
        "Tày Pác Pó.m4a",
        "Console.wav",
    ],
)
def test_unicode_names_survive_byte_for_byte(name: str) -> None:
    assert safe_file_name(name) == unicodedata.normalize("NFC", name)


def test_decomposed_vietnamese_is_stored_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Quyền trẻ em.wav")
    assert safe_file_name(decomposed) == "Quyền trẻ em.wav"


@pytest.mark.parametrize(
    "hostile,expected",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        (".htaccess", "htaccess"),
        ("a\x00b.wav", "a_b.wav"),
        ('x<>:"|?*.mp3', "x_______.mp3"),
        ("", "file"),
        ("ảnh\u202egpj.exe", "ảnhgpj.exe"),  # right-to-left override shows "exe.jpg"
        ("\u2067bản tin\u2069.mp3", "bản tin.mp3"),
        ("CON.wav", "_CON.wav"),
        ("nul", "_nul"),
        ("Lpt1.txt", "_Lpt1.txt"),
        ("bản tin. .wav", "bản tin.wav"),
        ("tin\t\nmới.wav", "tin__mới.wav"),
    ],
)
def test_hostile_names_are_neutralised(hostile: str, expected: str) -> None:
    assert safe_file_name(hostile) == expected


def test_long_names_are_cut_to_a_byte_budget_keeping_the_extension() -> None:
    name = safe_file_name("ក" * 400 + ".wav")
    assert name.endswith(".wav")
    assert len(name.encode("utf-8")) <= 180
