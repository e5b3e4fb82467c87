"""Editorial roles: the groups, what each may do, and the approval workflow.

Used by the data migration that creates them and by ``setup_unit_groups``, which gives a
producing unit its own section that only its reporters and editors may edit.
"""

ADMIN_ACCESS = ("wagtailadmin", "access_admin")

# Group name (Vietnamese, shown in the admin) -> role code
ROLES = {
    "reporter": "Phóng viên",
    "editor": "Biên tập viên",
    "approver": "Lãnh đạo duyệt",
    "translator": "Biên dịch viên",
    "administrator": "Quản trị nội dung",
}

# Page permissions per role on the tree the role covers.
PAGE_PERMISSIONS = {
    "reporter": ["add_page", "change_page"],
    "editor": ["add_page", "change_page", "lock_page"],
    "approver": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    "translator": ["change_page"],
    "administrator": [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
        "delete_page",
    ],
}

# Model permissions per role: (app_label, codename)
MODEL_PERMISSIONS = {
    "reporter": [("media", "add_mediamaster"), ("media", "change_mediamaster")],
    "editor": [("media", "add_mediamaster"), ("media", "change_mediamaster")],
    "approver": [("media", "add_mediamaster"), ("media", "change_mediamaster")],
    "translator": [
        ("media", "add_mediamaster"),
        ("media", "change_mediamaster"),
        ("wagtail_localize", "submit_translation"),
    ],
    "administrator": [
        ("media", "add_mediamaster"),
        ("media", "change_mediamaster"),
        ("media", "delete_mediamaster"),
        ("wagtail_localize", "submit_translation"),
        *[
            (app, f"{verb}_{model}")
            for app, model in [
                ("taxonomy", "topic"),
                ("taxonomy", "producttype"),
                ("taxonomy", "audience"),
                ("taxonomy", "channel"),
                ("taxonomy", "producingunit"),
                ("taxonomy", "administrativeunit"),
            ]
            for verb in ("add", "change", "delete")
        ],
    ],
}

# Roles that may open the plan report (/admin/reports/) without a reporting membership:
# office heads approve what is broadcast and answer for the plan's figures. Granted by
# the reports app's data migration (0003), not by 0001 above, which runs before the
# permission exists. Administrators see reports through their group already.
REPORT_PERMISSION = ("reports", "view_report")
REPORT_ROLES = ("approver",)

# Official channels and where items were posted on them (cms.channels): reporters record
# posts (and change their own), editors and office heads change anyone's; office heads and
# content administrators manage the list of channels. Granted by the channels app's data
# migration (0002) and to new unit groups by ``setup_unit_section``.
_POSTS = [("channels", f"{verb}_channelpost") for verb in ("add", "change", "delete")]
_CHANNELS = [("channels", f"{verb}_channel") for verb in ("add", "change", "delete", "view")]
CHANNEL_PERMISSIONS = {
    "reporter": [("channels", "add_channelpost")],
    "editor": _POSTS,
    "approver": [*_POSTS, *_CHANNELS],
    "administrator": [*_POSTS, *_CHANNELS],
}

COLLECTION_PERMISSIONS = {
    role: [
        # Wagtail checks image/document permissions against its own models,
        # even with custom image and document models.
        ("wagtailimages", "add_image"),
        ("wagtailimages", "choose_image"),
        ("wagtailimages", "change_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "choose_document"),
        ("wagtaildocs", "change_document"),
    ]
    for role in ROLES
}

WORKFLOW_NAME = "Biên tập và phê duyệt"
TASKS = [("Biên tập", "editor"), ("Phê duyệt", "approver")]
