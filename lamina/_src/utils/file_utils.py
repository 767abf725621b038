"""`get_file`: download a file into the Keras cache (`~/.keras/datasets`), verify it, extract it.

The cache layout is Keras's, so a file a user already downloaded with Keras is found and reused:
`$KERAS_HOME/<cache_subdir>/<fname>` (`KERAS_HOME` defaults to `~/.keras`, or `/tmp/.keras` when
the home folder is not writable), and for `extract=True` the archive and its extraction folder
are named as Keras names them.

Two things differ from Keras, both on purpose:

- Downloads go to a temporary file in the cache folder that is renamed into place only after the
  whole body arrived and its hash matched, so the cache never holds a partial or corrupted file.
  Archives are extracted the same way (into a temporary folder, renamed when complete), and only
  when the folder is missing or the archive was just downloaded; Keras re-extracts on every call.
- An archive member that would land outside the extraction folder (an absolute path, a `..`
  component, a link pointing outside, a member nested under a link, a device file) makes the
  whole extraction fail with a `ValueError` before anything is written; Keras skips such members
  with a warning.
"""

import hashlib
import http.client
import os
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from lamina._src.utils.progbar import Progbar

_CHUNK_SIZE = 1 << 16
# Below this many bytes a download is quick enough that a progress bar is noise.
_PROGRESS_MIN_BYTES = 1 << 20
_DOWNLOAD_TIMEOUT_S = 60
# `tarfile`'s extraction filters arrived in Python 3.11.4; before that, only our own checks run.
_TAR_FILTER_ERROR = getattr(tarfile, "FilterError", ())


def keras_home() -> str:
    """Keras's home folder: `$KERAS_HOME`, else `~/.keras` (`/tmp/.keras` if `~` is read-only).

    Keras reads `KERAS_HOME` once, when it is imported; lamina reads it at each call, so setting
    the variable after `import lamina` also works.
    """
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    if not os.access(base, os.W_OK):
        base = "/tmp"
    return os.path.join(base, ".keras")


def _writable_dir(path: str) -> bool:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def _resolve_hasher(algorithm: str, file_hash: str | None = None):
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "md5":
        return hashlib.md5()
    if algorithm == "auto":
        # Keras's rule: a 64-character hash is a sha256, anything else an md5.
        if file_hash is not None and len(file_hash) == 64:
            return hashlib.sha256()
        return hashlib.md5()
    raise ValueError(
        f"Unknown `hash_algorithm` {algorithm!r}: expected 'md5', 'sha256' or 'auto' (sha256 for "
        "a 64-character hash, md5 otherwise)."
    )


def hash_file(fpath: str, algorithm: str = "sha256", file_hash: str | None = None) -> str:
    """Returns the hex digest of the file at `fpath` (`algorithm`: "sha256", "md5" or "auto")."""
    hasher = _resolve_hasher(algorithm, file_hash)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK_SIZE), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto") -> bool:
    """Whether the file at `fpath` has the hex digest `file_hash` (case-insensitive)."""
    return hash_file(fpath, algorithm, file_hash) == str(file_hash).lower()


def _fetch_to_temp(origin: str, folder: str, name: str) -> str:
    """Streams `origin` into a new temporary file in `folder`; returns its path.

    The file is complete when this returns (a short body raises); the caller renames it into
    place, so the cache never shows a partial download.
    """
    fd, tmp_path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(origin, timeout=_DOWNLOAD_TIMEOUT_S)
            except urllib.error.HTTPError as e:
                raise OSError(
                    f"URL fetch failure on {origin}: {e.code} -- {e.reason}. Check the URL, or "
                    f"download the file yourself and place it at {os.path.join(folder, name)}."
                ) from e
            except urllib.error.URLError as e:
                raise OSError(
                    f"URL fetch failure on {origin}: {e.reason}. Check your network connection, "
                    f"or download the file yourself and place it at {os.path.join(folder, name)}."
                ) from e
            with response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                progbar = None
                if total is None or total >= _PROGRESS_MIN_BYTES:
                    progbar = Progbar(total, unit_name="byte")
                received = 0
                try:
                    while chunk := response.read(_CHUNK_SIZE):
                        out.write(chunk)
                        received += len(chunk)
                        if progbar is not None:
                            progbar.update(received, finalize=False)
                except http.client.HTTPException as e:  # e.g. the connection closed early
                    raise OSError(
                        f"Incomplete download from {origin} after {received} bytes ({e!r}). "
                        "Try again; the partial file was discarded."
                    ) from e
                if progbar is not None:
                    progbar.update(received, finalize=True)
            if total is not None and received != total:
                raise OSError(
                    f"Incomplete download from {origin}: received {received} of {total} bytes. "
                    "Try again; the partial file was discarded."
                )
    except BaseException:
        os.remove(tmp_path)
        raise
    return tmp_path


def _download(origin: str, target: str, file_hash: str | None, algorithm: str) -> None:
    """Downloads `origin` to `target`; the file only lands at `target` if its hash matches."""
    folder, name = os.path.split(target)
    staged = _fetch_to_temp(origin, folder, name)
    try:
        if file_hash is not None:
            actual = hash_file(staged, algorithm, file_hash)
            if actual != file_hash:
                raise ValueError(
                    f"Incomplete or corrupted file detected: the {algorithm} hash of the file "
                    f"downloaded from {origin} is {actual}, but {file_hash} was expected. The "
                    "file was discarded. If the origin is right, the download was corrupted on "
                    "the way: try again. If the file changed on purpose, pass its new "
                    "`file_hash`."
                )
        os.replace(staged, target)
    finally:
        if os.path.exists(staged):
            os.remove(staged)


# --- archives ------------------------------------------------------------------------------------


def _archive_error(archive_path: str, member: str, reason: str) -> ValueError:
    return ValueError(
        f"Refusing to extract the archive {archive_path}: its member {member!r} {reason}, so it "
        "could write outside the extraction folder. The archive may be malicious or corrupted; "
        "nothing was extracted. Delete the file and download it from a source you trust."
    )


def _member_path(name: str) -> str | None:
    """The member's path relative to the extraction folder; None if absolute or with `..`.

    `..` is refused outright rather than normalized away: `d/link/../x` looks like `d/x` on
    paper but goes wherever `d/link` points on disk.
    """
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    return "/".join(parts) or "."


def _passes_through(path: str, links: set[str]) -> str | None:
    """The first proper parent folder of `path` that is itself a link member, if any."""
    parts = path.split("/")
    for i in range(1, len(parts)):
        parent = "/".join(parts[:i])
        if parent in links:
            return parent
    return None


def _link_problem(member_path: str, linkname: str, is_symlink: bool, links: set[str]):
    """Why the link may not be extracted, or None if its target stays inside the folder.

    A symlink's target is relative to the link's folder, a hard link's to the archive root.
    The target is followed step by step: it may end at another link (a chain `a -> b -> c` is
    fine) but may not go *through* one, whose real location the text does not tell.
    """
    linkname = linkname.replace("\\", "/")
    if linkname.startswith("/") or (len(linkname) > 1 and linkname[1] == ":"):
        return f"is a link to the absolute path {linkname!r}"
    parts = member_path.split("/")[:-1] if is_symlink else []
    steps = [step for step in linkname.split("/") if step not in ("", ".")]
    for i, step in enumerate(steps):
        if step == "..":
            if not parts:
                return f"is a link to {linkname!r}, outside"
            parts.pop()
        else:
            parts.append(step)
        if i < len(steps) - 1 and "/".join(parts) in links:
            return f"is a link to {linkname!r}, through the link {'/'.join(parts)!r}"
    return None


def _check_tar_members(archive_path: str, members: list) -> None:
    paths = {}
    for member in members:
        path = _member_path(member.name)
        if path is None:
            raise _archive_error(archive_path, member.name, "has an absolute path or `..`")
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise _archive_error(
                archive_path, member.name, "is a device, FIFO or other special file"
            )
        paths[member.name] = path
    # Nothing may be written *through* a link, and links may only point inside the folder.
    links = {paths[m.name] for m in members if m.issym() or m.islnk()}
    for member in members:
        path = paths[member.name]
        through = _passes_through(path, links)
        if through is not None:
            raise _archive_error(archive_path, member.name, f"is nested under the link {through!r}")
        if member.issym() or member.islnk():
            problem = _link_problem(path, member.linkname, member.issym(), links)
            if problem is not None:
                raise _archive_error(archive_path, member.name, problem)


def _check_zip_members(archive_path: str, archive: zipfile.ZipFile) -> None:
    for info in archive.infolist():
        path = _member_path(info.filename)
        if path is None:
            raise _archive_error(archive_path, info.filename, "has an absolute path or `..`")
        if stat.S_ISLNK(info.external_attr >> 16):
            # `zipfile` writes a symlink entry as a plain file holding the target, so it cannot
            # escape; an outward target is still the mark of a hostile archive.
            target = archive.read(info).decode("utf-8", "replace")
            problem = _link_problem(path, target, True, set())
            if problem is not None:
                raise _archive_error(archive_path, info.filename, problem)


def _extract_tar(archive_path: str, destination: str) -> None:
    with tarfile.open(archive_path) as archive:
        members = archive.getmembers()
        _check_tar_members(archive_path, members)
        kwargs = {}
        if hasattr(tarfile, "data_filter"):
            # A second, independent guard (Python >= 3.11.4): refuses what escapes on disk.
            kwargs["filter"] = "data"
        try:
            archive.extractall(destination, members=members, **kwargs)
        except _TAR_FILTER_ERROR as e:
            raise _archive_error(archive_path, getattr(e, "tarinfo", e).name, str(e)) from e


def _extract_zip(archive_path: str, destination: str) -> None:
    with zipfile.ZipFile(archive_path) as archive:
        _check_zip_members(archive_path, archive)
        archive.extractall(destination)


def extract_archive(file_path: str, path: str = ".", archive_format="auto") -> bool:
    """Extracts a tar (any compression) or zip archive into the folder `path`.

    The archive is first extracted into a temporary folder next to `path`, which replaces `path`
    once complete. Every member is checked before anything is written: one whose path would
    leave `path` makes the extraction fail.

    Args:
        file_path: The archive.
        path: The folder to extract into.
        archive_format: `"auto"` (`["tar", "zip"]`), `"tar"`, `"zip"`, a list of these, or None.

    Returns:
        True if the file was an archive of one of the formats and was extracted, else False.

    Raises:
        ValueError: if a member would be written outside `path`.
    """
    if archive_format is None:
        return False
    if archive_format == "auto":
        archive_format = ["tar", "zip"]
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in archive_format:
        if kind == "tar":
            matches, extract = tarfile.is_tarfile(file_path), _extract_tar
        elif kind == "zip":
            matches, extract = zipfile.is_zipfile(file_path), _extract_zip
        else:
            raise ValueError(
                f"Unknown archive format {kind!r}: expected 'tar', 'zip', 'auto' or None."
            )
        if not matches:
            continue
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
        try:
            extract(file_path, staging)
            if os.path.lexists(path):
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
            os.replace(staging, path)
        finally:
            if os.path.exists(staging):
                shutil.rmtree(staging)
        return True
    return False


# --- get_file ------------------------------------------------------------------------------------


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format="auto",
    cache_dir: str | None = None,
    force_download: bool = False,
) -> str:
    """Downloads a file from a URL if it is not already in the cache.

    By default the file at `origin` is saved as `~/.keras/datasets/<fname>` (the folder is
    `$KERAS_HOME/<cache_subdir>` when `KERAS_HOME` is set), the same place Keras uses, so a file
    already downloaded with Keras is reused. With `file_hash`, a cached file whose hash does not
    match is downloaded again, and a download whose hash does not match raises (the bad bytes are
    discarded, never cached).

    Args:
        fname: Name of the file in the cache. Defaults to the last part of `origin`'s path.
            A plain name: to choose the folder, use `cache_dir` / `cache_subdir`.
        origin: URL of the file.
        untar: Deprecated, use `extract`. Whether to extract the file as a tar archive.
        md5_hash: Deprecated, use `file_hash`. The file's md5 hash.
        file_hash: The expected sha256 or md5 hex digest of the file.
        cache_subdir: Sub-folder of the cache folder where the file goes; an absolute path is
            used as is.
        hash_algorithm: `"sha256"`, `"md5"` or `"auto"` (sha256 for a 64-character hash).
        extract: Whether to extract the file as an archive (tar, tar.gz, zip...).
        archive_format: Archive formats to try with `extract`: `"auto"` (tar then zip), `"tar"`,
            `"zip"`, a list, or None.
        cache_dir: The cache folder; defaults to `$KERAS_HOME` or `~/.keras`.
        force_download: Download the file even if it is cached.

    Returns:
        The path of the downloaded file, or with `extract=True` the path of the folder it was
        extracted into.

    Raises:
        ValueError: if `origin` is missing, `fname` is a path, the downloaded file's hash does
            not match `file_hash`, or an archive member would be written outside the
            extraction folder.
        OSError: if the download fails.

    Example:

    ```python
    path = keras.utils.get_file(
        origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    )
    ```
    """
    if origin is None:
        raise ValueError(
            'Please specify the "origin" argument (URL of the file to download), e.g. '
            'get_file(origin="https://example.com/data.npz").'
        )
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        file_hash = str(file_hash).lower()
        _resolve_hasher(hash_algorithm, file_hash)  # validates `hash_algorithm` early

    base = os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None else keras_home())
    if not _writable_dir(base):
        fallback = os.path.join(
            "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras"
        )
        warnings.warn(
            f"The cache folder {base} is not writable; using {fallback} instead.", stacklevel=2
        )
        base = fallback
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    provided_fname = fname
    fname = os.fspath(fname) if fname is not None else None
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. Please "
                "specify the `fname` argument."
            )
    elif os.sep in fname or (os.altsep and os.altsep in fname) or fname in (".", ".."):
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. To specify the file's "
            f"parent directory, use the `cache_dir` argument. Received: fname={fname}"
        )

    # Keras's names, so its downloads are found: "data.tar.gz" -> archive "data.tar.gz",
    # folder "data_extracted"; "data" -> archive "data_archive", folder "data".
    extraction_dir = None
    if extract or untar:
        if provided_fname and "." in fname:
            download_target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[: fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, f"{fname}_archive")
    else:
        download_target = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(download_target)
    if not download and file_hash is not None:
        if not validate_file(download_target, file_hash, hash_algorithm):
            print(
                f"A local file was found at {download_target}, but its {hash_algorithm} hash "
                f"does not match the expected {file_hash} (incomplete or outdated), so it will "
                "be downloaded again."
            )
            download = True

    if download:
        print(f"Downloading data from {origin}")
        _download(origin, download_target, file_hash, hash_algorithm)

    if extraction_dir is None:
        return download_target
    if download or not os.path.isdir(extraction_dir):
        if not extract_archive(download_target, extraction_dir, "tar" if untar else archive_format):
            warnings.warn(
                f"Could not extract {download_target}: it is not an archive of format "
                f"{archive_format!r}.",
                stacklevel=2,
            )
    return extraction_dir
