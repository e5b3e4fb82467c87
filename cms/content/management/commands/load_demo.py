from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cms.content import demo


class Command(BaseCommand):
    help = "Load demo content in several languages (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        users = demo.load()
        base = settings.WAGTAILADMIN_BASE_URL
        self.stdout.write(self.style.SUCCESS("Nội dung mẫu đã sẵn sàng / demo content loaded."))
        self.stdout.write(f"  Trang công khai / public site: {base}/vi/")
        self.stdout.write(f"  Quản trị / admin:             {base}/admin/")
        self.stdout.write("  Tài khoản / users: admin, phongvien, bientap, lanhdao, biendich")
        self.stdout.write(f"  Mật khẩu / password:          {users['password']}")
        self.stdout.write(f"  (lưu tại / stored in {demo.credentials_file()})")
