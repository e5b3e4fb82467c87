"""PostgreSQL stops in the middle of a publish: the editor gets a clear error, nothing is
half-published, and the site recovers by itself when the database returns.

Real parts only: a PostgreSQL server of this test's own (stopped at once, as a crash or a
power cut would: ``pg_ctl -m immediate``), gunicorn with the production configuration
(``deploy/gunicorn.conf.py``) and an editor's browser session over HTTP. The editor's
request is held *inside* the publish by a trigger on the page history (Wagtail writes the
"published" entry after the page row went live and the search index was updated), so the
server is stopped at a known point: the page itself already updated, the publish not
finished.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection

from benchmarks.html_forms import FormFields
from tests.conftest import SAMPLES
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_SCRIPT = ROOT / "scripts" / "test-postgres.sh"
OLD_TITLE = "Quyền trẻ em"
NEW_TITLE = "Quyền trẻ em ở vùng cao – bản cập nhật"

SEED = f"""
from pathlib import Path
from django.contrib.auth.models import Group
from wagtail.models import Locale, Page, Site
from cms.content.models import HomePage, RadioSegmentPage, SectionIndexPage
from cms.editorial.roles import ROLES
from cms.media.uploads import master_from_file
from cms.users.models import User
from tests.cms.conftest import complete_metadata

vi = Locale.objects.get(language_code="vi")
home = HomePage(title="Trang chủ", slug="trang-chu", locale=vi)
Page.get_first_root_node().add_child(instance=home)
home.save_revision().publish()
site = Site.objects.get(is_default_site=True)
site.root_page = home
site.save()
section = SectionIndexPage(title="Phát thanh", slug="phat-thanh")
home.add_child(instance=section)
section.save_revision().publish()
master = master_from_file(Path({str(SAMPLES / "vi_segment_48k_stereo.wav")!r}), "Bản tin", "vi")
page = RadioSegmentPage(title={OLD_TITLE!r}, slug="quyen-tre-em", audio=master, live=False)
section.add_child(instance=page)
complete_metadata(page)
page.save_revision().publish()
user = User.objects.create_user("lanhdao", password="pw-12345!")
user.groups.add(Group.objects.get(name=ROLES["approver"]))
print(page.pk)
"""

HOLD = """
CREATE FUNCTION outage_hold() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM pg_sleep(600); RETURN NEW; END $$;
CREATE TRIGGER outage_hold BEFORE INSERT ON wagtailcore_pagelogentry
FOR EACH ROW WHEN (NEW.action IN ('wagtail.publish', 'wagtail.rename'))
EXECUTE FUNCTION outage_hold();
"""


class Stack:
    """This test's PostgreSQL server and a gunicorn serving the CMS from it."""

    def __init__(self, tmp: Path) -> None:
        self.pg_env = {**os.environ, "CMS_TEST_PGPORT": str(free_port())}
        self.url = self.pg("start").splitlines()[0]
        self.media = tmp / "media"
        self.log = tmp / "gunicorn.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.test_queue",
            "DATABASE_URL": self.url,
            "CMS_MEDIA_ROOT": str(self.media),
            "CMS_BIND": f"127.0.0.1:{self.port}",
            "CMS_WEB_PROCESSES": "1",
            "CMS_WEB_THREADS": "4",
            "PYTHONPATH": str(ROOT),
        }
        self.web: subprocess.Popen[bytes] | None = None

    def pg(self, command: str) -> str:
        return subprocess.run(
            ["bash", str(PG_SCRIPT), command],
            env=self.pg_env, check=True, capture_output=True, text=True, timeout=120,
        ).stdout  # fmt: skip

    def sql(self, statement: str, *args: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(statement, args or None)
            return cursor.fetchall() if cursor.description else []

    def load_schema_from(self, db: dict[str, Any]) -> None:
        """The migrated test database (schema and the migrations' data) copied over."""
        assert db["ENGINE"].endswith("postgresql"), "run with DATABASE_URL (make test does)"
        source = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        dump = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "-d", source],
            check=True, capture_output=True, timeout=120,
        ).stdout  # fmt: skip
        subprocess.run(
            ["pg_restore", "--no-owner", "--single-transaction", "-d", self.url],
            input=dump, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def seed(self) -> int:
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SEED],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return int(done.stdout.split()[-1])

    def start_web(self) -> None:
        args = [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
        with self.log.open("ab") as log:
            self.web = subprocess.Popen(
                [*args, "cms.wsgi:application"],
                cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.web.poll() is None, self.log.read_text()
            try:
                if requests.get(f"{self.base}/healthz", timeout=10).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still loading
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.web is not None and self.web.poll() is None:
            self.web.terminate()
            try:
                self.web.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.web.kill()
        self.pg("stop")


@pytest.fixture
def stack(
    django_db_setup: None, django_db_blocker: Any, tmp_path: Path, samples: Path
) -> Iterator[Stack]:
    """``samples`` generates the recording SEED uploads (at ``SAMPLES``)."""
    with django_db_blocker.unblock():
        db = dict(connection.settings_dict)
    stack = Stack(tmp_path)
    try:
        stack.load_schema_from(db)
        yield stack
    finally:
        stack.stop()


def publish_form(session: requests.Session, base: str, page_id: int) -> list[tuple[str, str]]:
    """The page's edit form as the editor's browser has it, with a new title, publishing."""
    page = session.get(f"{base}/admin/pages/{page_id}/edit/", timeout=30)
    assert page.status_code == 200, page.text[:500]
    parser = FormFields("page-edit-form")
    parser.feed(page.text)
    fields = [(k, NEW_TITLE if k == "title" else v) for k, v in parser.fields]
    assert ("title", NEW_TITLE) in fields, "the edit form has no title field"
    return [*fields, ("action-publish", "action-publish")]


def log_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=30).raise_for_status()
    response = session.post(
        f"{base}/admin/login/",
        data={
            "username": "lanhdao",
            "password": "pw-12345!",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def live_state(stack: Stack, page_id: int) -> tuple[Any, ...]:
    """The page row as readers see it, and how many revisions and log entries it has."""
    return stack.sql(
        "SELECT title, live, has_unpublished_changes, live_revision_id, latest_revision_id,"
        " (SELECT count(*) FROM wagtailcore_revision WHERE object_id = p.id::text),"
        " (SELECT count(*) FROM wagtailcore_pagelogentry WHERE page_id = p.id)"
        " FROM wagtailcore_page p WHERE id = %s",
        page_id,
    )[0]


@pytest.mark.django_db  # the migrated test database is the schema's source
def test_database_stopped_during_a_publish(stack: Stack) -> None:
    page_id = stack.seed()
    stack.start_web()
    public = f"{stack.base}/vi/phat-thanh/quyen-tre-em/"
    assert OLD_TITLE in requests.get(public, timeout=30).text
    before = live_state(stack, page_id)
    assert before[:3] == (OLD_TITLE, True, False)

    session = log_in(stack.base)
    form = publish_form(session, stack.base, page_id)
    stack.sql(HOLD)

    result: dict[str, requests.Response] = {}
    editor = threading.Thread(
        target=lambda: result.update(
            response=session.post(
                f"{stack.base}/admin/pages/{page_id}/edit/",
                data=form,
                timeout=120,
                allow_redirects=False,
            )
        )
    )
    editor.start()
    deadline = time.monotonic() + 60
    held: list[tuple[Any, ...]] = []
    while not held and time.monotonic() < deadline:
        held = stack.sql(
            "SELECT pid, backend_xid FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
        )
        time.sleep(0.1)
    assert held, "the publish never reached the page history"
    # the page row is already updated inside the open transaction, not visible outside it
    assert live_state(stack, page_id) == before, "part of the publish is already committed"
    assert held[0][1] is not None, "the held publish has written nothing yet"

    stack.pg("halt")  # PostgreSQL stops at once, mid-publish
    editor.join(timeout=120)
    response = result["response"]
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "Tạm thời không truy cập được cơ sở dữ liệu" in response.text
    assert "không có gì được lưu dở dang" in response.text
    assert '<html lang="vi"' in response.text

    # while it is down: the health check says so, readers get the same clear page
    health = requests.get(f"{stack.base}/healthz", timeout=30)
    assert health.status_code == 503 and health.json()["status"] == "database unavailable"
    down = requests.get(public, timeout=30)
    assert down.status_code == 503 and "Tạm thời không truy cập được" in down.text
    assert stack.web is not None and stack.web.poll() is None, "gunicorn died with the database"

    stack.pg("resume")  # back, with crash recovery; nobody restarts the web server
    with ThreadPoolExecutor(8) as pool:  # every gunicorn thread's kept connection
        answers = list(pool.map(lambda _: requests.get(public, timeout=30), range(16)))
    assert [a.status_code for a in answers] == [200] * 16
    assert all(OLD_TITLE in a.text and NEW_TITLE not in a.text for a in answers)
    # nothing half-published: no new revision, no log entry, the page as it was
    assert live_state(stack, page_id) == before

    # the editor sends the form again, and the publish goes through
    stack.sql("DROP TRIGGER outage_hold ON wagtailcore_pagelogentry")
    again = session.post(
        f"{stack.base}/admin/pages/{page_id}/edit/",
        data=publish_form(session, stack.base, page_id), timeout=60, allow_redirects=False,
    )  # fmt: skip
    assert again.status_code == 302, again.text[:1000]
    after = live_state(stack, page_id)
    assert after[:3] == (NEW_TITLE, True, False)
    assert after[5] == before[5] + 1 and after[3] == after[4] != before[3]
    assert NEW_TITLE in requests.get(public, timeout=30).text
    found = requests.get(f"{stack.base}/vi/search/", params={"q": "vùng cao"}, timeout=30)
    assert found.status_code == 200 and NEW_TITLE in found.text
