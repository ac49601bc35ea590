"""A small news site served on 127.0.0.1 for the web-ingest tests (no internet here): an Arabic
article page, an RSS feed whose items point at it, at a missing page (with a summary) and at
another missing page (without one), plus pages that are too big, too slow, or not a feed.

``{base}`` in a body is replaced by the site's address when it is served.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RAIL_TITLE = "افتتاح خط السكة الحديد بين الداخلة والخارجة"
RAIL_QUESTION = "كم راكبا يتوقع أن ينقل خط السكة الحديد بين الداخلة والخارجة يوميا؟"
RAIL_PAGE = f"""<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{RAIL_TITLE} | أخبار الواحات</title>
<meta property="og:title" content="{RAIL_TITLE}">
<meta property="og:site_name" content="أخبار الواحات">
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
</head><body>
<nav><a href="/">الرئيسية</a> · <a href="/sport">رياضة</a></nav>
<article>
<h1>{RAIL_TITLE}</h1>
<p>افتتحت هيئة السكك الحديدية صباح الثلاثاء خطا جديدا يربط مدينة الداخلة بمدينة الخارجة في الصحراء الغربية،
بعد أعمال استمرت ثلاث سنوات.</p>
<p>وقال رئيس الهيئة إن الخط الجديد سينقل نحو أربعة آلاف ومئتي راكب يوميا، وإن الرحلة بين المدينتين ستستغرق ساعتين
بدلا من أربع ساعات بالحافلة.</p>
<p>وأضاف أن القطارات ستعمل ست مرات في اليوم، وأن أسعار التذاكر ستبقى ثابتة حتى نهاية العام.</p>
</article>
<footer>جميع الحقوق محفوظة</footer>
</body></html>
"""
SCHOOLS_SUMMARY = "بلغ عدد التلاميذ المسجلين في مدارس واحة الفرافرة هذا العام ألفا وثلاثمئة تلميذ."
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>أخبار الواحات</title><link>{base}/</link><description>آخر الأخبار</description>
<item><title>افتتاح خط السكة الحديد</title><link>{base}/news/rail.html</link>
  <pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate></item>
<item><title>تلاميذ الفرافرة</title><link>{base}/news/schools.html</link>
  <description>&lt;p&gt;SUMMARY&lt;/p&gt;</description><pubDate>Mon, 04 Mar 2024 09:00:00 GMT</pubDate></item>
<item><title>خبر بلا ملخص</title><link>{base}/news/empty.html</link>
  <pubDate>Sun, 03 Mar 2024 09:00:00 GMT</pubDate></item>
</channel></rss>
""".replace("SUMMARY", SCHOOLS_SUMMARY)
SLOW_SECONDS = 3.0


@dataclass(frozen=True)
class Page:
    body: str | bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay_s: float = 0.0


ROUTES = {
    "/news/rail.html": Page(RAIL_PAGE),
    "/feed.xml": Page(FEED, "application/rss+xml; charset=utf-8"),
    "/big.html": Page(b"<html><body>" + b"<p>" + "خبر ".encode() * 200_000 + b"</p></body></html>"),
    "/slow.html": Page(RAIL_PAGE, delay_s=SLOW_SECONDS),
    "/blank.html": Page("<html><head><title>Blank</title></head><body><script>let x = 1;</script></body></html>"),
    "/not-a-feed.xml": Page("just some words, no feed here", "text/plain"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        page = ROUTES.get(self.path.split("?")[0], Page("<h1>not found</h1>", status=404))
        if page.delay_s:
            time.sleep(page.delay_s)
        base: str = self.server.base  # type: ignore[attr-defined]
        body = page.body if isinstance(page.body, bytes) else page.body.replace("{base}", base).encode()
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a limit)
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_site() -> Iterator[str]:
    """The site on a free local port; yields its base address (no trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.base = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.base  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
