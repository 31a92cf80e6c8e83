"""``partifinans fetch`` against a local HTTP server started here (no internet)."""

from __future__ import annotations

import csv
import hashlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from partifinans import cli, config, fetch
from partifinans.extract.opendata import written_headers
from partifinans.fetch import Fetcher, FetchError, fetch_opendata, fetch_urls

FAST = dict(backoff=0.01, delay=0.0, progress=False, timeout=5)

BODIES = {
    "/PartiinsynOpenData/PartiinsynOpenData.csv": b"\xff\xfe" + ("\t".join(written_headers()) + "\t\r\n").encode("utf-16-le"),
    "/etag.pdf": b"%PDF-1.4 etag version 1",
    "/lastmod.pdf": b"%PDF-1.4 last-modified",
    "/plain.pdf": b"%PDF-1.4 no validators",
    "/flaky.pdf": b"%PDF-1.4 after two 503s",
    "/dir/a%20report.pdf": b"%PDF-1.4 quoted name",
    "/other/plain.pdf": b"%PDF-1.4 same name, other url",
}
LAST_MODIFIED = "Wed, 01 May 2024 10:00:00 GMT"


class Server:
    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.bodies = dict(BODIES)
        self.etag = '"v1"'
        self.flaky_left = 2
        state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                state.requests.append((self.path, dict(self.headers)))
                path = self.path
                if path in ("/login.pdf", "/PartiinsynOpenData/login.csv"):  # a login page with HTTP 200
                    return self._send(200, b"<!DOCTYPE html><html><head><title>Logga in - Partiinsyn</title>"
                                      b"</head><body>...</body></html>", {"Content-Type": "text/html; charset=utf-8"})
                if path == "/zip.pdf":
                    return self._send(200, b"PK\x03\x04 a zip file", {"Content-Type": "application/zip"})
                if path == "/missing.pdf":
                    return self._send(404, b"not here")
                if path == "/always503.pdf":
                    return self._send(503, b"busy", {"Retry-After": "0"})
                if path == "/truncated.pdf":
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b"%PDF short")
                    return
                if path == "/flaky.pdf" and state.flaky_left > 0:
                    state.flaky_left -= 1
                    return self._send(503, b"try later")
                body = state.bodies.get(path)
                if body is None:
                    return self._send(404, b"no")
                headers = {}
                if path in ("/etag.pdf", "/PartiinsynOpenData/PartiinsynOpenData.csv"):
                    headers["ETag"] = state.etag
                    if self.headers.get("If-None-Match") == state.etag:
                        return self._send(304, b"", headers)
                if path == "/lastmod.pdf":
                    headers["Last-Modified"] = LAST_MODIFIED
                    if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                        return self._send(304, b"", headers)
                return self._send(200, body, headers)

            def _send(self, code, body, headers=None):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                if code != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if code != 304:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def count(self, path):
        return sum(1 for p, _ in self.requests if p == path)


@pytest.fixture
def server():
    s = Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def _manifest(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/x.pdf"


def test_published_address_is_the_one_in_reports_md():
    assert fetch.OPENDATA_URL == "https://partiinsyn.kammarkollegiet.se/PartiinsynOpenData/PartiinsynOpenData.csv"


def test_fetch_opendata_into_dest_with_manifest(server, tmp_path):
    dest = tmp_path / "raw" / "opendata"
    result = fetch_opendata(server.url + "/PartiinsynOpenData/PartiinsynOpenData.csv", dest, **FAST)
    body = BODIES["/PartiinsynOpenData/PartiinsynOpenData.csv"]
    assert result.status == "downloaded" and result.path == dest / "PartiinsynOpenData.csv"
    assert (dest / "PartiinsynOpenData.csv").read_bytes() == body
    rows = _manifest(tmp_path / "raw" / "MANIFEST.csv")
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == ["url", "path", "fetched_at", "sha256", "bytes", "http_status", "etag", "last_modified"]
    assert row["path"] == "opendata/PartiinsynOpenData.csv"
    assert row["sha256"] == hashlib.sha256(body).hexdigest()
    assert row["bytes"] == str(len(body)) and row["http_status"] == "200" and row["etag"] == '"v1"'
    assert row["fetched_at"].endswith("Z") and row["fetched_at"][:2] == "20"


def test_user_agent_names_the_project(server, tmp_path):
    fetch_opendata(server.url + "/PartiinsynOpenData/PartiinsynOpenData.csv", tmp_path / "od", **FAST)
    assert server.requests[0][1]["User-Agent"] == config.USER_AGENT
    assert "partifinans" in config.USER_AGENT


def test_etag_unchanged_file_not_downloaded_again(server, tmp_path):
    url = server.url + "/etag.pdf"
    f = Fetcher(tmp_path / "MANIFEST.csv", **FAST)
    first = f.fetch(url, tmp_path / "pdf")
    mtime = first.path.stat().st_mtime_ns
    second = Fetcher(tmp_path / "MANIFEST.csv", **FAST).fetch(url, tmp_path / "pdf")
    assert (first.status, second.status) == ("downloaded", "unchanged")
    assert second.http_status == 304 and second.sha256 == first.sha256
    assert server.requests[1][1]["If-None-Match"] == '"v1"'
    assert second.path.stat().st_mtime_ns == mtime
    assert _manifest(tmp_path / "MANIFEST.csv")[0]["http_status"] == "304"


def test_changed_etag_downloads_new_version(server, tmp_path):
    url = server.url + "/etag.pdf"
    Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    server.etag = '"v2"'
    server.bodies["/etag.pdf"] = b"%PDF-1.4 etag version 2"
    again = Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    assert again.status == "downloaded" and again.path.read_bytes() == b"%PDF-1.4 etag version 2"
    assert _manifest(tmp_path / "M.csv")[0]["etag"] == '"v2"'


def test_last_modified_unchanged(server, tmp_path):
    url = server.url + "/lastmod.pdf"
    Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    again = Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    assert again.status == "unchanged" and again.http_status == 304
    assert server.requests[1][1]["If-Modified-Since"] == LAST_MODIFIED


def test_no_validators_sha256_decides_and_file_not_rewritten(server, tmp_path):
    url = server.url + "/plain.pdf"
    first = Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    mtime = first.path.stat().st_mtime_ns
    again = Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    assert again.status == "unchanged" and again.http_status == 200
    assert "If-None-Match" not in server.requests[1][1]
    assert first.path.stat().st_mtime_ns == mtime
    assert not list(tmp_path.glob(".*.part"))


def test_locally_modified_file_is_fetched_unconditionally(server, tmp_path):
    url = server.url + "/etag.pdf"
    first = Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    first.path.write_bytes(b"damaged")
    again = Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)
    assert "If-None-Match" not in server.requests[1][1]
    assert again.status == "downloaded" and first.path.read_bytes() == BODIES["/etag.pdf"]


def test_retries_with_backoff_then_succeeds(server, tmp_path):
    result = Fetcher(tmp_path / "M.csv", **FAST).fetch(server.url + "/flaky.pdf", tmp_path)
    assert result.status == "downloaded" and server.count("/flaky.pdf") == 3


def test_gives_up_after_retries_with_one_line(server, tmp_path):
    with pytest.raises(FetchError) as exc:
        Fetcher(tmp_path / "M.csv", retries=2, **FAST).fetch(
            server.url + "/always503.pdf", tmp_path)
    assert str(exc.value) == f"{server.url}/always503.pdf: HTTP 503 Service Unavailable (gave up after 3 attempts)"
    assert server.count("/always503.pdf") == 3
    assert not (tmp_path / "always503.pdf").exists()


def test_http_404_is_not_retried(server, tmp_path):
    with pytest.raises(FetchError, match=r"/missing\.pdf: HTTP 404 Not Found$"):
        Fetcher(tmp_path / "M.csv", **FAST).fetch(server.url + "/missing.pdf", tmp_path)
    assert server.count("/missing.pdf") == 1


def test_truncated_download_leaves_no_file(server, tmp_path):
    with pytest.raises(FetchError, match=r"incomplete|interrupted"):
        Fetcher(tmp_path / "M.csv", retries=1, **FAST).fetch(
            server.url + "/truncated.pdf", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_offline_is_one_line(tmp_path):
    url = _closed_port_url()
    with pytest.raises(FetchError) as exc:
        Fetcher(tmp_path / "M.csv", retries=1, **FAST).fetch(url, tmp_path)
    assert exc.value.offline
    assert str(exc.value).startswith(f"{url}: cannot connect (")
    assert "offline?" in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize("url", [
    pytest.param("ftp://example.org/x.pdf", id="ftp"),
    pytest.param("not a url", id="words"),
    pytest.param("file:///etc/passwd", id="file"),
])
def test_bad_url_rejected_without_request(tmp_path, url):
    with pytest.raises(FetchError, match="not an http"):
        Fetcher(tmp_path / "M.csv", **FAST).fetch(url, tmp_path)


def test_fetch_urls_list_into_pdf_dir(server, tmp_path):
    listing = tmp_path / "LIST.txt"
    listing.write_text(
        "# reports asked for\n"
        f"{server.url}/plain.pdf\n\n"
        f"{server.url}/missing.pdf\n"
        f"{server.url}/dir/a%20report.pdf\n"
        f"{server.url}/other/plain.pdf\n",
        encoding="utf-8",
    )
    lines = []
    done, failed = fetch_urls(listing, tmp_path / "raw" / "pdf", report=lines.append, **FAST)
    pdf = tmp_path / "raw" / "pdf"
    assert [r.path.name for r in done] == ["plain.pdf", "a report.pdf", f"plain-{hashlib.sha256((server.url + '/other/plain.pdf').encode()).hexdigest()[:8]}.pdf"]
    assert (pdf / "a report.pdf").read_bytes() == BODIES["/dir/a%20report.pdf"]
    assert [str(e) for e in failed] == [f"{server.url}/missing.pdf: HTTP 404 Not Found"]
    assert len(lines) == 4
    rows = _manifest(tmp_path / "raw" / "MANIFEST.csv")
    assert sorted(r["path"] for r in rows) == sorted(f"pdf/{r.path.name}" for r in done)
    # one request at a time, in list order
    assert [p for p, _ in server.requests] == ["/plain.pdf", "/missing.pdf", "/dir/a%20report.pdf", "/other/plain.pdf"]


def test_url_list_with_a_bad_line_names_it(tmp_path):
    listing = tmp_path / "LIST.txt"
    listing.write_text("http://127.0.0.1/a.pdf\nwww.example.org/b.pdf\n", encoding="utf-8")
    with pytest.raises(fetch.UserError, match=r"LIST\.txt: line 2 is not an http\(s\) URL"):
        fetch.read_url_list(listing)


# ---- through the CLI: exit codes and one line on stderr


def test_cli_fetch_opendata(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(fetch, "DELAY_SECONDS", 0.0)
    dest = tmp_path / "opendata"
    code = cli.main(["fetch", "opendata", "--url", server.url + "/PartiinsynOpenData/PartiinsynOpenData.csv",
                     "--dest", str(dest)])
    assert code == 0
    assert (dest / "PartiinsynOpenData.csv").exists()
    assert capsys.readouterr().err.startswith("downloaded: ")


def test_cli_http_error_one_line_exit_2(server, tmp_path, capsys):
    code = cli.main(["fetch", "opendata", "--url", server.url + "/missing.csv", "--dest", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"{server.url}/missing.csv: HTTP 404 Not Found\n"


def test_cli_offline_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(fetch, "RETRIES", 0)
    code = cli.main(["fetch", "opendata", "--url", _closed_port_url(), "--dest", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot connect" in err and "Traceback" not in err


def test_cli_urls_partial_failure_exit_1(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(fetch, "DELAY_SECONDS", 0.0)
    listing = tmp_path / "LIST.txt"
    listing.write_text(f"{server.url}/plain.pdf\n{server.url}/missing.pdf\n", encoding="utf-8")
    code = cli.main(["fetch", "urls", str(listing), "--dest", str(tmp_path / "pdf")])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[-1] == "1 fetched, 1 failed"
    assert (tmp_path / "pdf" / "plain.pdf").exists()


# ---- what arrived is checked before it is kept


def test_html_login_page_instead_of_a_pdf_is_refused_and_nothing_written(server, tmp_path):
    listing = tmp_path / "LIST.txt"
    listing.write_text(f"{server.url}/login.pdf\n{server.url}/zip.pdf\n{server.url}/plain.pdf\n", encoding="utf-8")
    done, failed = fetch_urls(listing, tmp_path / "raw" / "pdf", **FAST)
    assert [str(e) for e in failed] == [
        f'{server.url}/login.pdf: expected a PDF or the open-data file but the server sent an HTML page '
        '("Logga in - Partiinsyn"); nothing saved',
        f"{server.url}/zip.pdf: expected a PDF or the open-data file but the server sent application/zip "
        "content starting with b'PK\\x03\\x04 a zip file'; nothing saved",
    ]
    assert [r.path.name for r in done] == ["plain.pdf"]
    assert sorted(p.name for p in (tmp_path / "raw" / "pdf").iterdir()) == ["plain.pdf"]  # no temporary left
    assert [r["url"] for r in _manifest(tmp_path / "raw" / "MANIFEST.csv")] == [f"{server.url}/plain.pdf"]


def test_opendata_that_is_not_the_open_data_file_is_refused_in_one_line(server, tmp_path, capsys):
    dest = tmp_path / "opendata"
    code = cli.main(["fetch", "opendata", "--url", server.url + "/PartiinsynOpenData/login.csv", "--dest", str(dest)])
    assert code == 2
    assert capsys.readouterr().err == (
        f'{server.url}/PartiinsynOpenData/login.csv: expected the open-data file but the server sent an HTML page '
        '("Logga in - Partiinsyn"); nothing saved\n'
    )
    assert not dest.exists() or list(dest.iterdir()) == []
    assert not (tmp_path / "MANIFEST.csv").exists()


def test_a_refused_download_keeps_the_good_file_already_there(server, tmp_path):
    dest = tmp_path / "pdf"
    Fetcher(tmp_path / "MANIFEST.csv", **FAST).fetch(server.url + "/plain.pdf", dest, expect="pdf")
    server.bodies["/plain.pdf"] = b"<html><title>Fel</title></html>"
    with pytest.raises(FetchError, match="server sent an HTML page"):
        Fetcher(tmp_path / "MANIFEST.csv", **FAST).fetch(server.url + "/plain.pdf", dest, expect="pdf")
    assert (dest / "plain.pdf").read_bytes() == BODIES["/plain.pdf"]
