"""Seed vocabularies, loaded by data migration ``0002_seed``.

Pure data (no model imports) so the migration stays reproducible. Names are given in
Vietnamese and English; other locales are translated in the admin with wagtail-localize.
Codes are stable identifiers used by exports and harvesters: never rename one.
"""

# code, Vietnamese name, English name
TOPICS: list[tuple[str, str, str]] = [
    ("iccpr", "Quyền dân sự và chính trị (ICCPR)", "Civil and political rights (ICCPR)"),
    (
        "icescr",
        "Quyền kinh tế, xã hội và văn hóa (ICESCR)",
        "Economic, social and cultural rights (ICESCR)",
    ),
    (
        "cedaw",
        "Xóa bỏ phân biệt đối xử với phụ nữ (CEDAW)",
        "Elimination of discrimination against women (CEDAW)",
    ),
    ("cerd", "Xóa bỏ phân biệt chủng tộc (CERD)", "Elimination of racial discrimination (CERD)"),
    ("crc", "Quyền trẻ em (CRC)", "Rights of the child (CRC)"),
    ("crpd", "Quyền của người khuyết tật (CRPD)", "Rights of persons with disabilities (CRPD)"),
    ("cat", "Chống tra tấn (CAT)", "Against torture (CAT)"),
    ("upr", "Cơ chế rà soát định kỳ phổ quát (UPR)", "Universal Periodic Review (UPR)"),
    ("anti-trafficking", "Phòng, chống mua bán người", "Anti-trafficking in persons"),
    ("freedom-of-belief", "Tự do tín ngưỡng, tôn giáo", "Freedom of belief and religion"),
    ("freedom-of-expression", "Tự do ngôn luận, báo chí", "Freedom of expression and the press"),
    ("ethnic-minorities", "Quyền của các dân tộc thiểu số", "Rights of ethnic minorities"),
    ("gender-equality", "Bình đẳng giới", "Gender equality"),
    (
        "poverty-social-security",
        "Giảm nghèo và an sinh xã hội",
        "Poverty reduction and social security",
    ),
    (
        "labour-rights-trade",
        "Quyền lao động trong các hiệp định thương mại",
        "Labour rights in trade agreements",
    ),
    ("child-online-protection", "Bảo vệ trẻ em trên môi trường mạng", "Child online protection"),
    ("human-rights-general", "Quyền con người (chung)", "Human rights (general)"),
]

# code, Vietnamese, English, media kind
PRODUCT_TYPES: list[tuple[str, str, str, str]] = [
    ("radio_report", "Phóng sự phát thanh", "Radio reportage", "SOUND"),
    ("radio_drama", "Kịch truyền thanh", "Radio drama", "SOUND"),
    ("skit", "Tiểu phẩm", "Skit", "SOUND"),
    ("bulletin", "Bản tin", "News bulletin", "SOUND"),
    ("video", "Video", "Video", "VIDEO"),
    ("photo", "Ảnh tư liệu", "Documentary photo", "IMAGE"),
    ("poster", "Tranh cổ động", "Poster", "IMAGE"),
    ("exhibition", "Triển lãm", "Exhibition", "IMAGE"),
    ("publication", "Ấn phẩm, sách", "Publication", "TEXT"),
]

AUDIENCES: list[tuple[str, str, str]] = [
    ("general-public", "Nhân dân (chung)", "General public"),
    ("officials", "Cán bộ, công chức, viên chức", "Officials and civil servants"),
    ("ethnic-minority-communities", "Đồng bào dân tộc thiểu số", "Ethnic minority communities"),
    ("religious-communities", "Chức sắc, tín đồ tôn giáo", "Religious communities"),
    ("students", "Học sinh, sinh viên", "Pupils and students"),
    ("children", "Trẻ em", "Children"),
    ("women", "Phụ nữ", "Women"),
    ("workers", "Người lao động", "Workers"),
    ("persons-with-disabilities", "Người khuyết tật", "Persons with disabilities"),
    ("foreigners", "Người nước ngoài", "Foreigners"),
    ("border-residents", "Cư dân khu vực biên giới", "Border area residents"),
]

# code, Vietnamese, English, is_digital
CHANNELS: list[tuple[str, str, str, bool]] = [
    ("provincial-radio-tv", "Đài Phát thanh - Truyền hình tỉnh", "Provincial radio and TV", False),
    (
        "district-radio",
        "Đài truyền thanh cấp huyện (trước 2025)",
        "District radio (before 2025)",
        False,
    ),
    (
        "commune-loudspeaker",
        "Đài truyền thanh cấp xã, cụm loa",
        "Commune radio and loudspeakers",
        False,
    ),
    ("ip-loudspeaker", "Truyền thanh thông minh (IP/4G)", "Smart IP/4G loudspeakers", True),
    ("digital-board", "Bảng tin điện tử", "Digital information boards", True),
    ("web-portal", "Cổng/Trang thông tin điện tử", "Web portal", True),
    ("social-media", "Mạng xã hội (trang chính thức)", "Official social media pages", True),
    ("exhibition", "Triển lãm, pano, áp phích", "Exhibitions, billboards and posters", False),
    ("print", "Ấn phẩm in", "Print", False),
    ("information-point", "Điểm thông tin cơ sở", "Grassroots information points", False),
]

PRODUCING_UNITS: list[tuple[str, str, str]] = [
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("so-tu-phap", "Sở Tư pháp", "Department of Justice"),
    ("so-noi-vu", "Sở Nội vụ", "Department of Home Affairs"),
    ("so-ngoai-vu", "Sở Ngoại vụ", "Department of Foreign Affairs"),
    ("so-dan-toc-ton-giao", "Sở Dân tộc và Tôn giáo", "Department of Ethnic and Religious Affairs"),
    ("so-giao-duc", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("cong-an-tinh", "Công an tỉnh", "Provincial Police"),
    ("dai-ptth", "Đài Phát thanh và Truyền hình tỉnh", "Provincial Radio and Television Station"),
    ("ubnd-xa", "Ủy ban nhân dân cấp xã", "Commune People's Committee"),
]

# Provinces before 1 July 2025: GSO code, name.
OLD_PROVINCES: list[tuple[str, str]] = [
    ("01", "Hà Nội"),
    ("02", "Hà Giang"),
    ("04", "Cao Bằng"),
    ("06", "Bắc Kạn"),
    ("08", "Tuyên Quang"),
    ("10", "Lào Cai"),
    ("11", "Điện Biên"),
    ("12", "Lai Châu"),
    ("14", "Sơn La"),
    ("15", "Yên Bái"),
    ("17", "Hòa Bình"),
    ("19", "Thái Nguyên"),
    ("20", "Lạng Sơn"),
    ("22", "Quảng Ninh"),
    ("24", "Bắc Giang"),
    ("25", "Phú Thọ"),
    ("26", "Vĩnh Phúc"),
    ("27", "Bắc Ninh"),
    ("30", "Hải Dương"),
    ("31", "Hải Phòng"),
    ("33", "Hưng Yên"),
    ("34", "Thái Bình"),
    ("35", "Hà Nam"),
    ("36", "Nam Định"),
    ("37", "Ninh Bình"),
    ("38", "Thanh Hóa"),
    ("40", "Nghệ An"),
    ("42", "Hà Tĩnh"),
    ("44", "Quảng Bình"),
    ("45", "Quảng Trị"),
    ("46", "Thừa Thiên Huế"),
    ("48", "Đà Nẵng"),
    ("49", "Quảng Nam"),
    ("51", "Quảng Ngãi"),
    ("52", "Bình Định"),
    ("54", "Phú Yên"),
    ("56", "Khánh Hòa"),
    ("58", "Ninh Thuận"),
    ("60", "Bình Thuận"),
    ("62", "Kon Tum"),
    ("64", "Gia Lai"),
    ("66", "Đắk Lắk"),
    ("67", "Đắk Nông"),
    ("68", "Lâm Đồng"),
    ("70", "Bình Phước"),
    ("72", "Tây Ninh"),
    ("74", "Bình Dương"),
    ("75", "Đồng Nai"),
    ("77", "Bà Rịa - Vũng Tàu"),
    ("79", "Thành phố Hồ Chí Minh"),
    ("80", "Long An"),
    ("82", "Tiền Giang"),
    ("83", "Bến Tre"),
    ("84", "Trà Vinh"),
    ("86", "Vĩnh Long"),
    ("87", "Đồng Tháp"),
    ("89", "An Giang"),
    ("91", "Kiên Giang"),
    ("92", "Cần Thơ"),
    ("93", "Hậu Giang"),
    ("94", "Sóc Trăng"),
    ("95", "Bạc Liêu"),
    ("96", "Cà Mau"),
]

# Provinces from 1 July 2025 (Resolution 202/2025/QH15): new name -> old provinces merged.
# The new unit keeps a "P2025-" code of its own; the GSO code of the new unit is not
# asserted here (set it in the admin once the official list is loaded).
NEW_PROVINCES: list[tuple[str, list[str]]] = [
    ("Hà Nội", ["01"]),
    ("Huế", ["46"]),
    ("Lai Châu", ["12"]),
    ("Điện Biên", ["11"]),
    ("Sơn La", ["14"]),
    ("Lạng Sơn", ["20"]),
    ("Quảng Ninh", ["22"]),
    ("Thanh Hóa", ["38"]),
    ("Nghệ An", ["40"]),
    ("Hà Tĩnh", ["42"]),
    ("Cao Bằng", ["04"]),
    ("Tuyên Quang", ["08", "02"]),
    ("Lào Cai", ["10", "15"]),
    ("Thái Nguyên", ["19", "06"]),
    ("Phú Thọ", ["25", "26", "17"]),
    ("Bắc Ninh", ["27", "24"]),
    ("Hưng Yên", ["33", "34"]),
    ("Hải Phòng", ["31", "30"]),
    ("Ninh Bình", ["37", "35", "36"]),
    ("Quảng Trị", ["45", "44"]),
    ("Đà Nẵng", ["48", "49"]),
    ("Quảng Ngãi", ["51", "62"]),
    ("Gia Lai", ["64", "52"]),
    ("Khánh Hòa", ["56", "58"]),
    ("Lâm Đồng", ["68", "67", "60"]),
    ("Đắk Lắk", ["66", "54"]),
    ("Thành phố Hồ Chí Minh", ["79", "74", "77"]),
    ("Đồng Nai", ["75", "70"]),
    ("Tây Ninh", ["72", "80"]),
    ("Cần Thơ", ["92", "94", "93"]),
    ("Vĩnh Long", ["86", "83", "84"]),
    ("Đồng Tháp", ["87", "82"]),
    ("Cà Mau", ["96", "95"]),
    ("An Giang", ["89", "91"]),
]

# A few pre-reform districts and post-reform communes of Lạng Sơn for the demo and the
# mapping tests: (old district code, name, old province) -> [(new commune code, name)].
# The full national list is loaded with `manage.py import_units` from the official CSV.
DEMO_DISTRICTS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "D-20-180",
        "Huyện Cao Lộc",
        "20",
        [("C2025-20-cao-loc", "Xã Cao Lộc"), ("C2025-20-dong-dang", "Xã Đồng Đăng")],
    ),
    (
        "D-20-178",
        "Thành phố Lạng Sơn",
        "20",
        [
            ("C2025-20-luong-van-tri", "Phường Lương Văn Tri"),
            ("C2025-20-tam-thanh", "Phường Tam Thanh"),
        ],
    ),
    ("D-94-941", "Thành phố Sóc Trăng", "94", [("C2025-92-soc-trang", "Phường Sóc Trăng")]),
]
