"""Every bad input gives one clear error: exit code 2 and one line from the CLI, an AccessError from the library.

Each case builds a real bad input in a temporary folder (a study ``.toml``
beside its counter table, an OSM file, a mirror of symlinks to the real data
mirror with one file missing or altered, ...) from the City of London study,
and is driven twice: through ``access run`` and through ``access.load_study(...).run()``.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import access
from access.cli import app
from access.core import errors, settings
from access.inputs.config import load_config
from access.inputs.sources import sha256_of
from access.outputs.notes import run_warnings

runner = CliRunner()

CITY = "city-of-london"
SNOW_HILL = (-0.102657, 51.516836)
BISHOPSGATE = (-0.079995, 51.517732)


# --------------------------------------------------------------------------- building bad inputs


def city_study(tmp_path: Path, edit_counters: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
               replace: tuple[tuple[str, str], ...] = ()) -> Path:
    """Return a copy of the City study in ``tmp_path``, its counter table a CSV beside it."""
    config = load_config(CITY)
    table = pd.read_csv(config.counters_table, dtype=str, keep_default_na=False)
    if edit_counters is not None:
        table = edit_counters(table)
    csv = tmp_path / "counters.csv"
    table.to_csv(csv, index=False)
    text = config.source.read_text().replace('table = "../counters/city-of-london.csv"', 'table = "counters.csv"')
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "study.toml"
    path.write_text(text)
    return path


def set_value(counter: str, column: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(table: pd.DataFrame) -> pd.DataFrame:
        table.loc[table["id"] == counter, column] = value
        return table
    return edit


def swap_lon_lat(table: pd.DataFrame) -> pd.DataFrame:
    row = table["id"] == "bishopsgate"
    table.loc[row, ["lon", "lat"]] = table.loc[row, ["lat", "lon"]].to_numpy()
    return table


def mirror_copy(tmp_path: Path, mirror: Path, *, drop: str | None = None,
                alter: dict[str, Callable[[bytes], bytes]] | None = None) -> Path:
    """Return a data mirror of symlinks to the real one, with ``drop`` left out and ``alter`` files rewritten."""
    root = tmp_path / "mirror"
    for source in mirror.rglob("*"):
        if not source.is_file():
            continue
        relative = source.relative_to(mirror).as_posix()
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative == drop:
            continue
        if alter and relative in alter:
            target.write_bytes(alter[relative](source.read_bytes()))
        else:
            target.symlink_to(source)
    return root


def osm_xml(path: Path, ways: list[tuple[str, list[tuple[float, float]]]]) -> Path:
    """Return a small OSM XML file: each way is (highway value, [(lon, lat), ...])."""
    nodes: dict[tuple[float, float], int] = {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    body = []
    for way_id, (highway, points) in enumerate(ways, start=1):
        refs = []
        for point in points:
            if point not in nodes:
                nodes[point] = len(nodes) + 1
                lines.append(f'<node id="{nodes[point]}" version="1" lat="{point[1]:.7f}" lon="{point[0]:.7f}"/>')
            refs.append(nodes[point])
        body.append(f'<way id="{way_id}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                    + f'<tag k="highway" v="{highway}"/></way>')
    path.write_text("\n".join([*lines, *body, "</osm>"]) + "\n")
    return path


def grid_and_island(path: Path, highway: str = "footway") -> Path:
    """Footways: a 5 × 5 grid around Snow Hill, and a separate square around Bishopsgate, 1.3 km east."""
    lons = [-0.1067 + 0.002 * i for i in range(5)]
    lats = [51.5128 + 0.002 * j for j in range(5)]
    ways = [(highway, [(lon, lat) for lon in lons]) for lat in lats]
    ways += [(highway, [(lon, lat) for lat in lats]) for lon in lons]
    x, y = BISHOPSGATE
    square = [(x - 0.0005, y - 0.0005), (x + 0.0005, y - 0.0005), (x + 0.0005, y + 0.0005), (x - 0.0005, y + 0.0005)]
    ways.append((highway, [*square, square[0]]))
    return osm_xml(path, ways)


# --------------------------------------------------------------------------- the cases


@dataclass
class Setup:
    """How to run one bad input: CLI arguments, and the same run through the library."""

    args: list[str]
    library: Callable[[], Any]


def _run(study: Path | str, tmp_path: Path, *extra: str, **kwargs: Any) -> Setup:
    out = tmp_path / "out"
    cli_out = [] if "--out" in extra else ["--out", str(out)]
    modes = kwargs.pop("modes", ["walk"])
    args = ["run", str(study), *[a for m in modes for a in ("--mode", m)], "--no-maps", *cli_out, *extra]
    osm_file = extra[extra.index("--osm-file") + 1] if "--osm-file" in extra else None
    return Setup(args, lambda: access.load_study(study).run(modes=modes, osm_file=osm_file, **kwargs))


def malformed_toml(tmp_path, monkeypatch, mirror):
    return _run(city_study(tmp_path, replace=(("[periods]", "[periods\n"),)), tmp_path)


def unknown_study(tmp_path, monkeypatch, mirror):
    return _run("atlantis", tmp_path)


def counter_without_id(tmp_path, monkeypatch, mirror):
    return _run(city_study(tmp_path, set_value("snow-hill", "id", "")), tmp_path)


def duplicate_counter_id(tmp_path, monkeypatch, mirror):
    return _run(city_study(tmp_path, set_value("snow-hill", "id", "bishopsgate")), tmp_path)


def unknown_mode(tmp_path, monkeypatch, mirror):
    return _run(CITY, tmp_path, modes=["boat"])


def unknown_period(tmp_path, monkeypatch, mirror):
    return _run(city_study(tmp_path, replace=(('after = "bishopsgate_only"', 'after = "2031"'),
                                              ('bishopsgate_only = "Bishopsgate only', '2031 = "Bishopsgate only'))),
                tmp_path)


def counter_outside_the_area(tmp_path, monkeypatch, mirror):  # Manchester Piccadilly
    return _run(city_study(tmp_path, lambda t: set_value("snow-hill", "lat", "53.4774")(
        set_value("snow-hill", "lon", "-2.2309")(t))), tmp_path)


def lat_lon_swapped(tmp_path, monkeypatch, mirror):  # (lon 51.5, lat -0.08): the sea off Somalia
    return _run(city_study(tmp_path, swap_lon_lat), tmp_path)


def nan_coordinates(tmp_path, monkeypatch, mirror):
    return _run(city_study(tmp_path, set_value("bishopsgate", "lat", "nan")), tmp_path)


def invalid_opening_hours(tmp_path, monkeypatch, mirror):
    return _run(city_study(tmp_path, set_value("snow-hill", "both_open", "Mo-Fr 09:00-25:00")), tmp_path)


def missing_mirror_file(tmp_path, monkeypatch, mirror):
    monkeypatch.setenv("ACCESS_DATA_MIRROR", str(mirror_copy(tmp_path, mirror,
                                                             drop="postcodes/london_postcodes_cpo2025.csv")))
    return _run(CITY, tmp_path)


def mirror_file_sha256_differs(tmp_path, monkeypatch, mirror):
    altered = {"population/london_lsoa2011_census.csv": lambda data: data + b"\n"}
    monkeypatch.setenv("ACCESS_DATA_MIRROR", str(mirror_copy(tmp_path, mirror, alter=altered)))
    return _run(CITY, tmp_path)


def truncated_pbf(tmp_path, monkeypatch, mirror):
    data = (mirror / "osm" / "city_of_london_2020.osm.pbf").read_bytes()
    broken = tmp_path / "truncated.osm.pbf"
    broken.write_bytes(data[: len(data) // 2])
    return _run(CITY, tmp_path, "--osm-file", str(broken))


def corrupt_pbf(tmp_path, monkeypatch, mirror):
    broken = tmp_path / "corrupt.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dOSMHeader" + os.urandom(2000))
    return _run(CITY, tmp_path, "--osm-file", str(broken))


def truncated_osm_xml(tmp_path, monkeypatch, mirror):
    text = grid_and_island(tmp_path / "full.osm").read_text()
    broken = tmp_path / "truncated.osm"
    broken.write_text(text[: len(text) * 2 // 3])
    return _run(CITY, tmp_path, "--osm-file", str(broken))


def no_edges_for_the_mode(tmp_path, monkeypatch, mirror):  # footways only, asked to drive
    return _run(CITY, tmp_path, "--osm-file", str(grid_and_island(tmp_path / "footways.osm")), modes=["drive"])


def counter_on_an_island(tmp_path, monkeypatch, mirror):
    return _run(CITY, tmp_path, "--osm-file", str(grid_and_island(tmp_path / "island.osm")))


def lsoa_with_zero_population(tmp_path, monkeypatch, mirror):
    census = "population/london_lsoa2011_census.csv"

    def zero(data: bytes) -> bytes:
        lines = data.decode().splitlines(keepends=True)
        lines = [",".join([f[0], "0", *f[2:]]) if (f := line.split(","))[0] == "E01000001" else line
                 for line in lines]
        return "".join(lines).encode()

    mirror_dir = mirror_copy(tmp_path, mirror, alter={census: zero})
    project = tmp_path / "project-data"
    shutil.copytree(settings.project_data_dir(), project)
    sources = project / "sources.toml"
    old_sha = sha256_of(mirror / census)
    sources.write_text(sources.read_text().replace(old_sha, sha256_of(mirror_dir / census)))
    monkeypatch.setenv("ACCESS_DATA_MIRROR", str(mirror_dir))
    monkeypatch.setenv("ACCESS_PROJECT_DATA", str(project))
    return _run(CITY, tmp_path)


def output_folder_not_writable(tmp_path, monkeypatch, mirror):
    if os.geteuid() == 0:  # root writes through permissions: make the output path a regular file instead
        out = tmp_path / "out"
        out.write_text("a file, not a folder")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        out = locked / "out"
    setup = _run(CITY, tmp_path, "--out", str(out))
    return Setup(setup.args, lambda: access.write(setup.library(), out, maps=False))


CASES: list[tuple[Callable[..., Setup], type[errors.AccessError], tuple[str, ...]]] = [
    (malformed_toml, errors.StudyError, ("study.toml", "not valid TOML", "fix the syntax")),
    (unknown_study, errors.StudyError, ("unknown study 'atlantis'", "city-of-london")),
    (counter_without_id, errors.DataError, ("counters.csv", "line(s) 3 have no id", "unique id")),
    (duplicate_counter_id, errors.DataError, ("counters.csv", "bishopsgate appear more than once", "unique id")),
    (unknown_mode, errors.StudyError, ("unknown mode 'boat'", "walk, cycle, drive")),
    (unknown_period, errors.DataError, ("counters.csv", "lacks column(s) 2031", "add the column")),
    (counter_outside_the_area, errors.DataError, ("snow-hill", "more than 10000 m from City of London",
                                                  "counter_max_m")),
    (lat_lon_swapped, errors.DataError, ("bishopsgate", "look swapped", "swap the two values")),
    (nan_coordinates, errors.DataError, ("counters.csv", "lat of bishopsgate is not a number", "decimal degrees")),
    (invalid_opening_hours, errors.HoursError, ("'snow-hill'", "'both_open'", "'09:00-25:00'",
                                                "not a valid time range")),
    (missing_mirror_file, errors.MirrorFileMissing, ("postcodes/london_postcodes_cpo2025.csv", "not found",
                                                     "ACCESS_DATA_MIRROR")),
    (mirror_file_sha256_differs, errors.ChecksumMismatch, ("london_lsoa2011_census.csv", "sha256",
                                                           "restore the original file")),
    (truncated_pbf, errors.NetworkError, ("truncated.osm.pbf", "cannot read OSM file", "complete")),
    (corrupt_pbf, errors.NetworkError, ("corrupt.osm.pbf", "cannot read OSM file", "complete")),
    (truncated_osm_xml, errors.NetworkError, ("truncated.osm", "cannot read OSM file", "complete")),
    (no_edges_for_the_mode, errors.NetworkError, ("footways.osm", "no drive streets", "check that")),
    (counter_on_an_island, errors.OffNetworkError, ("'bishopsgate' (1,3", "more than 1,000 m from the walk network",
                                                    "disconnected island", "--osm-file")),
    (lsoa_with_zero_population, errors.DataError, ("E01000001 (0 residents)", "london_lsoa2011_census.csv",
                                                   "restore")),
    (output_folder_not_writable, errors.OutputError, ("/out'", "choose another with --out")),
]
IDS = [case[0].__name__ for case in CASES]


@pytest.mark.parametrize(("build", "error", "fragments"), CASES, ids=IDS)
def test_bad_input_through_the_cli(build, error, fragments, tmp_path, monkeypatch, mirror):
    setup = build(tmp_path, monkeypatch, mirror)
    result = runner.invoke(app, setup.args, env={"COLUMNS": "100"})
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert not (tmp_path / "out" / "summary.json").exists()


@pytest.mark.parametrize(("build", "error", "fragments"), CASES, ids=IDS)
def test_bad_input_through_the_library(build, error, fragments, tmp_path, monkeypatch, mirror):
    setup = build(tmp_path, monkeypatch, mirror)
    with pytest.raises(error) as raised:
        setup.library()
    assert isinstance(raised.value, errors.AccessError)
    for fragment in fragments:
        assert fragment in str(raised.value)


# --------------------------------------------------------------------------- not errors, but never silent


def on_the_grid(table: pd.DataFrame) -> pd.DataFrame:
    """Bishopsgate moved onto the east edge of the footway grid around Snow Hill."""
    return set_value("bishopsgate", "lon", "-0.0990")(set_value("bishopsgate", "lat", "51.5170")(table))


def test_origins_far_from_the_network_are_excluded_and_counted(tmp_path, mirror):
    """Bishopsgate moved onto the grid: the eastern City's residents, > 1 km from it, are left out and counted."""
    network = grid_and_island(tmp_path / "grid.osm")
    study = city_study(tmp_path, on_the_grid)
    result = access.load_study(study).run(modes=["walk"], osm_file=network)
    times = result.times["walk"]
    excluded = times.excluded
    assert excluded.any() and (times.origin_snap_m[excluded] > 1000).all()
    assert (times.origin_snap_m[~excluded] <= 1000).all()
    people = result.study.places.residents["population"]
    summary = result.summary
    assert summary["excluded"].round(6).eq(round(people[excluded].sum(), 6)).all()
    assert (summary["population"] + summary["unreachable"] + summary["excluded"]).round(6).eq(7_375).all()
    assert result.origins.loc[excluded, "walk_both_open_min"].isna().all()
    assert "EXCLUDED from the figures" in run_warnings(result.coverage)[0]
    # the mean is over the measured residents only
    kept = result.origins[~excluded]
    mean = (kept["walk_both_open_min"] * kept["population"]).sum() / kept["population"].sum()
    assert summary.loc[("both_open", "walk"), "mean_min"] == pytest.approx(mean)

    out = tmp_path / "out"
    done = runner.invoke(app, ["run", str(study), "-m", "walk", "--osm-file", str(network), "--out", str(out),
                               "--no-maps"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.stderr
    written = json.loads((out / "summary.json").read_text())
    assert all(r["excluded"] == pytest.approx(people[excluded].sum()) for r in written["results"])
    assert "EXCLUDED" in done.stdout and "EXCLUDED" in " ".join(written["warnings"])
    origins = pd.read_csv(out / "origins.csv")
    assert origins["walk_both_open_min"].isna().sum() == excluded.sum()


def test_a_damaged_cache_is_rebuilt_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESS_CACHE_DIR", str(tmp_path / "cache"))
    network = grid_and_island(tmp_path / "grid.osm")
    study = city_study(tmp_path, on_the_grid)
    first = access.load_study(study).run(modes=["walk"], osm_file=network)
    (cached,) = (tmp_path / "cache" / "networks").glob("walk-*.npz")
    for damage in (lambda data: data[: len(data) // 2], lambda data: b"\x00" * len(data)):
        cached.write_bytes(damage(cached.read_bytes()))
        with pytest.warns(errors.AccessWarning, match="damaged.*rebuilding"):
            again = access.load_study(study).run(modes=["walk"], osm_file=network)
        assert again.origins["walk_both_open_min"].equals(first.origins["walk_both_open_min"])
    cached.write_bytes(cached.read_bytes()[:100])
    done = runner.invoke(app, ["run", str(study), "-m", "walk", "--osm-file", str(network),
                               "--out", str(tmp_path / "out"), "--no-maps"], env={"COLUMNS": "300"})
    assert done.exit_code == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "damaged" in warning[0] and str(cached) in warning[0]
    # rebuilt in place: the next run reads it quietly
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        access.load_study(study).run(modes=["walk"], osm_file=network)
    assert not [w for w in record if issubclass(w.category, errors.AccessWarning)]
