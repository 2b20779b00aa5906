"""A SYNTHETIC Greater-London-sized OpenStreetMap file: the mirror's real City of London extract, tiled.

No real OSM file of Greater London is available here, so the big-network benchmarks and the
London-wide street-network run use this one::

    .venv/bin/python -m bench.synthetic_london              # Greater London (about 900 tiles)
    .venv/bin/python -m bench.synthetic_london --square 8   # an 8 × 8 block around Charing Cross

Every tile is a copy of the City extract's dense core (:data:`WINDOW`, about 1.6 × 1.4 km): all of
its nodes and ways (streets, buildings, everything but relations), with every tag, cut at the
window's edge; a way that leaves the window and comes back becomes several ways.  Tiles get fresh
node and way ids (tile ``t``'s ids are ``t × STRIDE + 1 …``) and their coordinates shifted by whole
multiples of the window, so the geometry is the City's, exactly, over and over.  Neighbouring tiles
are joined by :data:`LINKS_PER_SIDE` two-way streets per shared side (``highway=unclassified``,
``name=SYNTHETIC link``), each between nodes that lie in the largest strongly connected part of the
tile's walk, cycle and drive networks, so the whole file routes as one strongly connected network
in every mode.

The tiles cover Greater London: every tile that comes within :data:`LONDON_MARGIN_M` of the 33
boroughs (the mirror's boundaries), so every resident and every Met counter of the London studies
lies on it.  The City's core is denser than most of London, so this file has more street nodes than
a real Greater London extract (see the README's "Performance").

Files are written to ``bench/generated/`` (ignored by git, never committed), named
``SYNTHETIC-…osm.pbf``, with ``SYNTHETIC`` in the file's ``generator`` header too.  A file that
exists is reused; its name carries :data:`VERSION`, bumped whenever the layout changes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GENERATED = Path(__file__).resolve().parent / "generated"
"""Where generated files go (git-ignored)."""

VERSION = 1
"""Bumped when the tiling changes, so that an old file is not taken for a new one."""

SCALE = 10_000_000
"""OSM coordinates are fixed-point: degrees × 10⁷ as integers (as in the PBF format)."""

WINDOW = (-0.1150, 51.5118, -0.0922, 51.5242)
"""The tile: west, south, east, north (degrees) of the City extract's dense, complete core."""

STRIDE = 100_000
"""Ids per tile, for nodes and for ways (a tile has about 40,000 nodes and 9,000 way pieces)."""

LINKS_PER_SIDE = 3
"""Connecting streets per side shared by two tiles."""

LONDON_MARGIN_M = 1000.0
"""Tiles reach this far beyond the 33 boroughs."""

CHARING_CROSS = (-0.1278, 51.5074)
"""Centre of the square blocks used for the scaling curve."""


@dataclass
class Tile:
    """The City core's content, once: nodes and ways with local ids (0 … n-1), ready to be copied."""

    x: np.ndarray
    y: np.ndarray
    node_tags: list[dict[str, str]]
    ways: list[tuple[list[int], dict[str, str]]]
    anchors: dict[str, list[int]]


def _read_core(path: Path) -> tuple[np.ndarray, np.ndarray, list[dict[str, str]], list[tuple[list[int], dict]]]:
    """Nodes inside :data:`WINDOW` and the pieces of ways inside it, with local node numbers."""
    import osmium

    west, south, east, north = (round(v * SCALE) for v in WINDOW)
    local: dict[int, int] = {}
    xs, ys, tags = [], [], []
    for node in osmium.FileProcessor(str(path)).with_filter(osmium.filter.EntityFilter(osmium.osm.NODE)):
        x, y = node.location.x, node.location.y
        if west <= x <= east and south <= y <= north:
            local[node.id] = len(xs)
            xs.append(x)
            ys.append(y)
            tags.append({t.k: t.v for t in node.tags})
    ways = []
    for way in osmium.FileProcessor(str(path)).with_filter(osmium.filter.EntityFilter(osmium.osm.WAY)):
        way_tags = {t.k: t.v for t in way.tags}
        run: list[int] = []
        for ref in [n.ref for n in way.nodes] + [None]:
            if ref is not None and ref in local:
                run.append(local[ref])
                continue
            if len(run) >= 2:
                ways.append((run, way_tags))
            run = []
    return np.asarray(xs, np.int64), np.asarray(ys, np.int64), tags, ways


def _write(path: Path, tiles: list[tuple[int, int]], tile: Tile, generator: str) -> dict[str, int]:
    """Write the tiles (grid column, row) and their links; return counts."""
    import osmium

    width = round((WINDOW[2] - WINDOW[0]) * SCALE)
    height = round((WINDOW[3] - WINDOW[1]) * SCALE)
    header = osmium.io.Header()
    header.set("generator", generator)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("part-" + path.name)
    index = {cell: t for t, cell in enumerate(tiles)}
    n_nodes = n_ways = n_links = 0
    location = osmium.osm.Location
    with osmium.SimpleWriter(str(tmp), header=header, overwrite=True) as writer:
        node = osmium.osm.mutable.Node
        for t, (col, row) in enumerate(tiles):
            base = t * STRIDE + 1
            xs = (tile.x + col * width) / SCALE
            ys = (tile.y + row * height) / SCALE
            for i, (lon, lat, tags) in enumerate(zip(xs.tolist(), ys.tolist(), tile.node_tags, strict=True)):
                writer.add_node(node(id=base + i, location=location(lon, lat), tags=tags))
            n_nodes += len(xs)
        way = osmium.osm.mutable.Way
        for t in range(len(tiles)):
            base = t * STRIDE + 1
            for i, (refs, tags) in enumerate(tile.ways):
                writer.add_way(way(id=base + i, nodes=[base + r for r in refs], tags=tags))
            n_ways += len(tile.ways)
        link_id = len(tiles) * STRIDE + 1
        link_tags = {"highway": "unclassified", "name": "SYNTHETIC link"}
        for (col, row), t in index.items():
            for side, other_side, neighbour in (("east", "west", (col + 1, row)), ("north", "south", (col, row + 1))):
                if neighbour not in index:
                    continue
                u = index[neighbour]
                for a, b in zip(tile.anchors[side], tile.anchors[other_side], strict=True):
                    writer.add_way(way(id=link_id, nodes=[t * STRIDE + 1 + a, u * STRIDE + 1 + b], tags=link_tags))
                    link_id += 1
                    n_links += 1
    tmp.replace(path)
    return {"tiles": len(tiles), "nodes": n_nodes, "ways": n_ways + n_links, "links": n_links}


def _anchors(x: np.ndarray, y: np.ndarray, node_tags: list[dict[str, str]],
             ways: list[tuple[list[int], dict[str, str]]]) -> dict[str, list[int]]:
    """Per side of the tile, :data:`LINKS_PER_SIDE` local nodes in every mode's largest strongly connected part.

    The tile is written on its own and each mode's network built from it (access's reader); the
    node nearest each of the points at ¼, ½ and ¾ along a side, among the nodes in all three
    networks, anchors a link on that side.
    """
    from access.routing.network import get_network

    single = Tile(x, y, node_tags, ways, anchors={s: [] for s in ("east", "west", "north", "south")})
    with tempfile.TemporaryDirectory(prefix="access-tile-") as tmp:
        one = Path(tmp) / "one-tile.osm.pbf"
        _write(one, [(0, 0)], single, "access bench: SYNTHETIC single tile")
        common = None
        for mode in ("walk", "cycle", "drive"):
            network = get_network(mode, crs="EPSG:27700", osm_file=one, use_cache=False)
            ids = set((network.osmid - 1).tolist())
            common = ids if common is None else common & ids
    candidates = np.array(sorted(common))
    lon, lat = x[candidates], y[candidates]
    west, south, east, north = (round(v * SCALE) for v in WINDOW)
    metres_x = 111_320 * np.cos(np.radians(51.5)) / SCALE
    metres_y = 110_574 / SCALE
    anchors = {}
    for side in ("east", "west", "north", "south"):
        chosen = []
        for share in np.linspace(0, 1, LINKS_PER_SIDE + 2)[1:-1]:
            if side in ("east", "west"):
                px, py = (east if side == "east" else west), south + share * (north - south)
            else:
                px, py = west + share * (east - west), (north if side == "north" else south)
            d = np.hypot((lon - px) * metres_x, (lat - py) * metres_y)
            chosen.append(int(candidates[int(d.argmin())]))
        anchors[side] = chosen
    return anchors


def city_tile() -> Tile:
    """Return the City core as a tile, with its link anchors."""
    from access.inputs.sources import mirror_file

    x, y, tags, ways = _read_core(mirror_file("city_of_london_osm"))
    return Tile(x, y, tags, ways, _anchors(x, y, tags, ways))


def _grid_cell(lon: float, lat: float) -> tuple[int, int]:
    """Return the grid cell (column, row) holding a point; cell (0, 0) is the window itself."""
    width, height = WINDOW[2] - WINDOW[0], WINDOW[3] - WINDOW[1]
    return int(np.floor((lon - WINDOW[0]) / width)), int(np.floor((lat - WINDOW[1]) / height))


def london_cells() -> list[tuple[int, int]]:
    """Return the grid cells within :data:`LONDON_MARGIN_M` of the 33 boroughs, joined edge to edge."""
    import geopandas as gpd
    import shapely
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from access.inputs.sources import mirror_file

    boroughs = gpd.read_file(mirror_file("boroughs")).to_crs("EPSG:27700")
    area = gpd.GeoSeries([boroughs.union_all().buffer(LONDON_MARGIN_M)], crs="EPSG:27700").to_crs("EPSG:4326")
    shape = area.iloc[0]
    west, south, east, north = shape.bounds
    (c0, r0), (c1, r1) = _grid_cell(west, south), _grid_cell(east, north)
    width, height = WINDOW[2] - WINDOW[0], WINDOW[3] - WINDOW[1]
    cells = [(c, r) for c in range(c0, c1 + 1) for r in range(r0, r1 + 1)]
    boxes = shapely.box(*np.array([[WINDOW[0] + c * width, WINDOW[1] + r * height,
                                    WINDOW[2] + c * width, WINDOW[3] + r * height] for c, r in cells]).T)
    cells = [cell for cell, hit in zip(cells, shapely.intersects(boxes, shape), strict=True) if hit]
    # keep the cells joined edge to edge to the largest group, so that links make one network
    index = {cell: i for i, cell in enumerate(cells)}
    pairs = [(index[(c, r)], index[n]) for c, r in cells for n in ((c + 1, r), (c, r + 1)) if n in index]
    a, b = np.array(pairs).T
    _, label = connected_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(len(cells), len(cells))),
                                    directed=False)
    main = np.bincount(label).argmax()
    return [cell for cell, lab in zip(cells, label, strict=True) if lab == main]


def square_cells(k: int) -> list[tuple[int, int]]:
    """Return a k × k block of grid cells around Charing Cross (the same cells as the London file's there)."""
    col, row = _grid_cell(*CHARING_CROSS)
    c0, r0 = col - (k - 1) // 2, row - (k - 1) // 2
    return [(c, r) for c in range(c0, c0 + k) for r in range(r0, r0 + k)]


def synthetic_file(kind: str = "london", *, folder: Path = GENERATED, quiet: bool = False) -> Path:
    """Return the SYNTHETIC tiled file ``kind`` (``"london"`` or ``"square-<k>"``), writing it if missing.

    Examples
    --------
    >>> synthetic_file("square-1").name   # doctest: +SKIP
    'SYNTHETIC-tiled-city-v1-square-1.osm.pbf'
    """
    if kind == "london":
        cells_of = london_cells
    elif kind.startswith("square-") and kind.removeprefix("square-").isdigit():
        k = int(kind.removeprefix("square-"))
        def cells_of() -> list[tuple[int, int]]:
            return square_cells(k)
    else:
        raise ValueError(f"unknown synthetic file {kind!r}; use 'london' or 'square-<k>'")
    path = folder / f"SYNTHETIC-tiled-city-v{VERSION}-{kind}.osm.pbf"
    if path.is_file():
        return path
    started = time.perf_counter()
    cells = cells_of()
    tile = city_tile()
    counts = _write(path, cells, tile, f"access bench/synthetic_london.py v{VERSION}: SYNTHETIC tiling of the "
                                       f"City of London extract (2020-07-20, © OpenStreetMap contributors, ODbL), "
                                       f"{len(cells)} tiles")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["bytes"] = path.stat().st_size
    path.with_suffix(".json").write_text(json.dumps({"kind": kind, **counts}, indent=1) + "\n")
    if not quiet:
        print(f"wrote {path} ({counts['bytes'] / 1e6:,.0f} MB): {counts}", file=sys.stderr)
    return path


def main(argv: list[str] | None = None) -> int:
    """Write a SYNTHETIC tiled file (Greater London by default) and print its path."""
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic_london", description=__doc__.splitlines()[0])
    parser.add_argument("--square", type=int, help="a k × k block of tiles around Charing Cross instead")
    parser.add_argument("--out", type=Path, default=GENERATED, help=f"folder (default {GENERATED})")
    args = parser.parse_args(argv)
    print(synthetic_file("london" if args.square is None else f"square-{args.square}", folder=args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
