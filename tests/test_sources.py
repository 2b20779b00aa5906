import shutil

import pytest

from access.core.errors import ChecksumMismatch, MirrorFileMissing, StudyError
from access.inputs.sources import mirror_file, sha256_of, sources


def test_every_listed_file_is_in_the_mirror_with_its_hash(mirror):
    for key, source in sources().items():
        if not source.sha256:  # no project copy (the ward names lookup): made by `access data fetch` only
            assert source.fetchable and not (mirror / source.path).exists(), key
            continue
        path = mirror_file(key)
        assert path == mirror / source.path
        assert sha256_of(path) == source.sha256


def test_missing_and_altered_files_are_named(tmp_path, monkeypatch, mirror):
    copy = tmp_path / "mirror"
    shutil.copytree(mirror / "boundaries", copy / "boundaries")
    monkeypatch.setenv("ACCESS_DATA_MIRROR", str(copy))
    with pytest.raises(MirrorFileMissing, match="london_postcodes_cpo2025.csv"):
        mirror_file("postcodes")
    with (copy / "boundaries" / "redbridge_wards_2019.geojson").open("a") as fh:
        fh.write(" ")
    with pytest.raises(ChecksumMismatch, match="redbridge_wards_2019.geojson"):
        mirror_file("redbridge_wards")
    assert mirror_file("boroughs").parent == copy / "boundaries"


def test_unknown_source_key():
    with pytest.raises(StudyError, match="'nope' is not listed"):
        mirror_file("nope")
