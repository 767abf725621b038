"""`get_file` against a local HTTP server: caching, KERAS_HOME, hashes, atomicity, extraction,
and archives that try to write outside the extraction folder (refused, nothing written).

Everything is served from 127.0.0.1 by a server that lives for one test at most: no network.
"""

import hashlib
import http.server
import io
import os
import stat
import tarfile
import threading
import zipfile

import numpy as np
import pytest

from lamina._src.utils.file_utils import get_file

# --- a local HTTP server -----------------------------------------------------------------------


class LocalServer:
    """Serves `files` (name -> bytes) on 127.0.0.1 and records the paths requested.

    A name in `truncated` is announced with a longer Content-Length than what is sent, and the
    connection is closed: a download cut short. The server shuts itself down after `lifetime_s`
    in any case, so a failing test cannot leave it running.
    """

    def __init__(self, files: dict[str, bytes], truncated=(), lifetime_s: float = 60):
        self.files = files
        self.truncated = set(truncated)
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.lstrip("/")
                server.requests.append(name)
                body = server.files.get(name)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                declared = len(body) + (1000 if name in server.truncated else 0)
                self.send_header("Content-Length", str(declared))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.watchdog = threading.Timer(lifetime_s, self.httpd.shutdown)
        self.watchdog.daemon = True
        self.watchdog.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self):
        self.watchdog.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def serve(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    servers = []

    def start(files, truncated=()):
        servers.append(LocalServer(files, truncated))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def tree(folder) -> set[str]:
    """Every path under `folder`, relative to it (links not followed)."""
    found = set()
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(root, name), folder))
    return found


PAYLOAD = np.random.default_rng(0).integers(0, 256, size=3000, dtype=np.uint8).tobytes()


def test_downloads_once_then_reuses_the_cache(serve, tmp_path):
    server = serve({"data.bin": PAYLOAD})
    path = get_file(origin=server.url + "data.bin", cache_dir=str(tmp_path))
    assert path == str(tmp_path / "datasets" / "data.bin")
    assert open(path, "rb").read() == PAYLOAD
    again = get_file("data.bin", origin=server.url + "data.bin", cache_dir=str(tmp_path))
    assert again == path and server.requests == ["data.bin"]
    # Only the file itself is left: the temporary download was renamed into place.
    assert tree(tmp_path / "datasets") == {"data.bin"}
    get_file("data.bin", server.url + "data.bin", cache_dir=str(tmp_path), force_download=True)
    assert server.requests == ["data.bin", "data.bin"]


def test_cache_subdir_and_keras_home(serve, tmp_path, monkeypatch):
    server = serve({"data.bin": PAYLOAD})
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    path = get_file("renamed.bin", server.url + "data.bin", cache_subdir="models")
    assert path == str(home / "models" / "renamed.bin")
    # A file already in the Keras cache (e.g. downloaded by Keras) is used without a request.
    (home / "datasets").mkdir()
    (home / "datasets" / "prior.bin").write_bytes(PAYLOAD)
    path = get_file("prior.bin", server.url + "data.bin", file_hash=sha256(PAYLOAD))
    assert path == str(home / "datasets" / "prior.bin")
    assert server.requests == ["data.bin"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"file_hash": sha256(PAYLOAD)},
        {"file_hash": sha256(PAYLOAD).upper(), "hash_algorithm": "sha256"},
        {"file_hash": md5(PAYLOAD)},  # "auto": a 32-character hash is an md5
        {"md5_hash": md5(PAYLOAD)},  # the deprecated argument
    ],
)
def test_hash_verification_passes(serve, tmp_path, kwargs):
    server = serve({"data.bin": PAYLOAD})
    path = get_file("data.bin", server.url + "data.bin", cache_dir=str(tmp_path), **kwargs)
    assert open(path, "rb").read() == PAYLOAD


def test_hash_mismatch_on_download_raises_and_caches_nothing(serve, tmp_path):
    server = serve({"data.bin": PAYLOAD})
    wrong = sha256(b"something else")
    with pytest.raises(ValueError, match=f"hash.*{wrong}"):
        get_file("data.bin", server.url + "data.bin", cache_dir=str(tmp_path), file_hash=wrong)
    assert tree(tmp_path / "datasets") == set()


def test_stale_cached_file_is_downloaded_again_once(serve, tmp_path):
    server = serve({"data.bin": PAYLOAD})
    cached = tmp_path / "datasets" / "data.bin"
    cached.parent.mkdir()
    cached.write_bytes(PAYLOAD[:100])  # an interrupted / outdated copy
    path = get_file(
        "data.bin", server.url + "data.bin", cache_dir=str(tmp_path), file_hash=sha256(PAYLOAD)
    )
    assert open(path, "rb").read() == PAYLOAD and server.requests == ["data.bin"]

    # The origin itself serves bad bytes: one new download, then a clear error; the cached
    # file is left as it was rather than replaced by the bad download.
    server.files["data.bin"] = b"corrupted"
    cached.write_bytes(PAYLOAD[:100])
    with pytest.raises(ValueError, match="Incomplete or corrupted file"):
        get_file(
            "data.bin",
            server.url + "data.bin",
            cache_dir=str(tmp_path),
            file_hash=sha256(PAYLOAD),
        )
    assert server.requests == ["data.bin", "data.bin"]
    assert cached.read_bytes() == PAYLOAD[:100]
    assert tree(tmp_path / "datasets") == {"data.bin"}


def test_download_failures(serve, tmp_path):
    server = serve({"short.bin": PAYLOAD}, truncated={"short.bin"})
    with pytest.raises(OSError, match="404"):
        get_file("missing.bin", server.url + "missing.bin", cache_dir=str(tmp_path))
    with pytest.raises(OSError, match="Incomplete download"):
        get_file("short.bin", server.url + "short.bin", cache_dir=str(tmp_path))
    assert tree(tmp_path / "datasets") == set()


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="origin"):
        get_file("x.bin", cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="cache_dir"):
        get_file("sub/x.bin", "http://127.0.0.1:9/x.bin", cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("x.bin", "http://127.0.0.1:9/x.bin", file_hash="00", hash_algorithm="sha1")


def test_progress_bar_for_large_downloads_only(serve, tmp_path, capsys):
    big = bytes(1_500_000)
    server = serve({"big.bin": big, "small.bin": PAYLOAD})
    get_file("small.bin", server.url + "small.bin", cache_dir=str(tmp_path))
    assert f"{len(PAYLOAD)}/" not in capsys.readouterr().out
    get_file("big.bin", server.url + "big.bin", cache_dir=str(tmp_path))
    out = capsys.readouterr().out
    assert "Downloading data from" in out and f"{len(big)}/{len(big)}" in out


# --- archives ----------------------------------------------------------------------------------


def make_tar(members: list[tuple], mode: str = "w:gz") -> bytes:
    """`members`: (name, bytes) files, (name, "dir"), (name, "sym", target), (name, "lnk", target),
    (name, "chr")."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, *spec in members:
            info = tarfile.TarInfo(name)
            data = None
            if spec[0] == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
            elif spec[0] == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, spec[1]
            elif spec[0] == "lnk":
                info.type, info.linkname = tarfile.LNKTYPE, spec[1]
            elif spec[0] == "chr":
                info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
            else:
                data = spec[0]
                info.size = len(data)
                info.mode = 0o644
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def make_zip(members: list[tuple]) -> bytes:
    """`members`: (name, bytes) files or (name, "sym", target) symlink entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, *spec in members:
            if spec[0] == "sym":
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, spec[1])
            else:
                archive.writestr(zipfile.ZipInfo(name), spec[0])
    return buffer.getvalue()


GOOD_TAR = make_tar(
    [
        ("top", "dir"),
        ("top/a.txt", b"alpha"),
        ("top/sub/b.txt", b"beta"),
        ("top/link_to_a", "sym", "a.txt"),
        ("top/hard_a", "lnk", "top/a.txt"),
    ]
)
GOOD_ZIP = make_zip([("top/a.txt", b"alpha"), ("top/sub/b.txt", b"beta")])


@pytest.mark.parametrize("archive_name, body", [("set.tar.gz", GOOD_TAR), ("set.zip", GOOD_ZIP)])
def test_extracts_archives_with_keras_names(serve, tmp_path, archive_name, body):
    server = serve({archive_name: body})
    url = server.url + archive_name
    # A name with a dot: the archive keeps it, the folder is "<stem>_extracted" (as in Keras).
    folder = get_file(archive_name, url, cache_dir=str(tmp_path), extract=True)
    assert folder == str(tmp_path / "datasets" / "set_extracted")
    assert open(os.path.join(folder, "top", "sub", "b.txt"), "rb").read() == b"beta"
    if archive_name.endswith(".tar.gz"):
        assert os.readlink(os.path.join(folder, "top", "link_to_a")) == "a.txt"
        assert open(os.path.join(folder, "top", "hard_a"), "rb").read() == b"alpha"
    # A name without a dot: the folder takes it and the archive is "<name>_archive".
    folder = get_file("plain", url, cache_dir=str(tmp_path), extract=True)
    assert folder == str(tmp_path / "datasets" / "plain")
    assert os.path.isfile(tmp_path / "datasets" / "plain_archive")
    assert open(os.path.join(folder, "top", "a.txt"), "rb").read() == b"alpha"
    # Cached: no request, and an already extracted folder is not extracted again.
    marker = os.path.join(folder, "marker")
    open(marker, "w").close()
    assert get_file("plain", url, cache_dir=str(tmp_path), extract=True) == folder
    assert os.path.exists(marker) and len(server.requests) == 2
    # No staging folders or temporary files are left behind.
    assert {p for p in os.listdir(tmp_path / "datasets") if p.startswith(".")} == set()


def test_untar_and_non_archives(serve, tmp_path):
    server = serve({"set.tgz": GOOD_TAR, "data.bin": PAYLOAD})
    folder = get_file("untarred", server.url + "set.tgz", cache_dir=str(tmp_path), untar=True)
    assert os.path.isfile(os.path.join(folder, "top", "a.txt"))
    with pytest.warns(UserWarning, match="Could not extract"):
        get_file("notarchive", server.url + "data.bin", cache_dir=str(tmp_path), extract=True)


def hostile_tars(outside: str) -> dict[str, bytes]:
    return {
        "dotdot": make_tar([("ok.txt", b"ok"), ("../evil.txt", b"evil")]),
        "deep_dotdot": make_tar([("a/../../evil.txt", b"evil")]),
        "absolute": make_tar([(os.path.join(outside, "evil.txt"), b"evil")]),
        "symlink_out": make_tar([("link", "sym", "../../..")]),
        "symlink_abs": make_tar([("link", "sym", outside)]),
        "symlink_then_write": make_tar(
            [("d", "dir"), ("d/link", "sym", ".."), ("d/link/evil.txt", b"evil")]
        ),
        "dotdot_through_link": make_tar(
            [("d", "dir"), ("d/up", "sym", ".."), ("d/up/../evil.txt", b"evil")]
        ),
        "link_through_link": make_tar(
            [("d", "dir"), ("d/up", "sym", ".."), ("d/x", "sym", "up/../y")]
        ),
        "hardlink_out": make_tar([("hard", "lnk", "../evil.txt")]),
        "hardlink_abs": make_tar([("hard", "lnk", "/etc/passwd")]),
        "device": make_tar([("null", "chr")]),
    }


def hostile_zips(outside: str) -> dict[str, bytes]:
    return {
        "zip_dotdot": make_zip([("ok.txt", b"ok"), ("../evil.txt", b"evil")]),
        "zip_absolute": make_zip([(os.path.join(outside, "evil.txt"), b"evil")]),
        "zip_backslash": make_zip([("..\\evil.txt", b"evil")]),
        "zip_symlink_out": make_zip([("link", "sym", "../../evil")]),
    }


HOSTILE_NAMES = list(hostile_tars("/x")) + list(hostile_zips("/x"))


@pytest.mark.parametrize("tar_filter", [True, False], ids=["with_tar_filter", "own_checks_only"])
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_refuses_archives_that_escape(serve, tmp_path, monkeypatch, name, tar_filter):
    if not tar_filter:
        # Python < 3.11.4 has no `tarfile` extraction filter: lamina's checks must suffice.
        monkeypatch.delattr(tarfile, "data_filter")
    cache = tmp_path / "cache"
    outside = tmp_path / "outside"
    outside.mkdir()
    archives = {**hostile_tars(str(outside)), **hostile_zips(str(outside))}
    server = serve({name: archives[name]})
    before = tree(tmp_path)
    with pytest.raises(ValueError, match="Refusing to extract"):
        get_file(name, server.url + name, cache_dir=str(cache), extract=True)
    # Only the downloaded archive was written; nothing was extracted, nothing left the cache.
    assert tree(tmp_path) - before == {"cache", "cache/datasets", f"cache/datasets/{name}_archive"}
