"""Small GTFS feeds written by hand as text files, for the reader's and the router's tests.

Stops are placed in metres on the British National Grid (EPSG:27700) near the City of London
and written to ``stops.txt`` in WGS84, as a real feed would have them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyproj

ORIGIN = (532_000.0, 181_000.0)
"""Where the hand-made feeds' metres are counted from (near Bank, EPSG:27700)."""

_TO_WGS84 = pyproj.Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def clock(seconds: int) -> str:
    """Seconds as a GTFS time (hours may pass 24)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass
class Feed:
    """A feed to write: stops (id → x, y metres from :data:`ORIGIN`), trips and calendars."""

    stops: dict[str, tuple[float, float]] = field(default_factory=dict)
    trips: list[tuple[str, str, list[tuple]]] = field(default_factory=list)  # (trip, service, stop times)
    calendar: list[tuple] = field(default_factory=list)  # (service, weekday flags (7), start, end)
    calendar_dates: list[tuple[str, str, int]] = field(default_factory=list)
    frequencies: list[tuple[str, int, int, int, int]] = field(default_factory=list)

    def add_trip(self, trip: str, service: str, calls: list[tuple]) -> None:
        """Add a trip: calls are (stop, arrival s, departure s[, pickup_type, drop_off_type])."""
        self.trips.append((trip, service, calls))

    def xy(self) -> np.ndarray:
        """Return the stops' positions in EPSG:27700, in the order written."""
        return np.array([[ORIGIN[0] + x, ORIGIN[1] + y] for x, y in self.stops.values()])

    def write(self, folder: Path) -> Path:
        """Write the feed's .txt files into ``folder`` and return it."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "agency.txt").write_text("agency_id,agency_name,agency_url,agency_timezone\n"
                                           "a,Test buses,https://example.org,Europe/London\n")
        lines = ["stop_id,stop_name,stop_lat,stop_lon"]
        for stop, (x, y) in self.stops.items():
            lon, lat = _TO_WGS84.transform(ORIGIN[0] + x, ORIGIN[1] + y)
            lines.append(f"{stop},{stop},{lat:.9f},{lon:.9f}")
        (folder / "stops.txt").write_text("\n".join(lines) + "\n")
        (folder / "routes.txt").write_text("route_id,agency_id,route_short_name,route_type\nr,a,R,3\n")
        (folder / "trips.txt").write_text("route_id,service_id,trip_id\n" + "".join(
            f"r,{service},{trip}\n" for trip, service, _ in self.trips))
        rows = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type"]
        for trip, _, calls in self.trips:
            for k, call in enumerate(calls):
                stop, arrival, departure, *flags = call
                pickup, dropoff = (flags + [0, 0])[:2]
                arrival_text = "" if arrival is None else clock(arrival)
                departure_text = "" if departure is None else clock(departure)
                rows.append(f"{trip},{arrival_text},{departure_text},{stop},{k + 1},{pickup},{dropoff}")
        (folder / "stop_times.txt").write_text("\n".join(rows) + "\n")
        if self.calendar:
            (folder / "calendar.txt").write_text(
                "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" + "".join(
                    f"{service},{','.join(map(str, days))},{start},{end}\n"
                    for service, days, start, end in self.calendar))
        if self.calendar_dates:
            (folder / "calendar_dates.txt").write_text("service_id,date,exception_type\n" + "".join(
                f"{service},{date},{kind}\n" for service, date, kind in self.calendar_dates))
        if self.frequencies:
            (folder / "frequencies.txt").write_text("trip_id,start_time,end_time,headway_secs,exact_times\n" + "".join(
                f"{trip},{clock(start)},{clock(end)},{headway},{exact}\n"
                for trip, start, end, headway, exact in self.frequencies))
        return folder


EVERY_DAY = (1, 1, 1, 1, 1, 1, 1)
