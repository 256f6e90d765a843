"""Simulated trade of the demo county: live sessions, orders and their lines, platform-neutral."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from app.demo.county import County, Shop
from app.demo.seasons import day_range, general_demand, product_season, promotion, spring_festival

# fmt: off
PROVINCES = {
    "山东省": 20, "广东省": 12, "江苏省": 10, "浙江省": 10, "北京市": 7, "上海市": 7, "河北省": 7,
    "河南省": 7, "四川省": 6, "湖北省": 5, "天津市": 4, "辽宁省": 5,
}
# Relative order volume by hour of day (Beijing time): lunch break and the evening peak.
HOUR_WEIGHTS = np.array([0.6, 0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 2.3, 2.4,
                         2.6, 2.2, 1.9, 1.9, 2.0, 2.1, 2.3, 2.8, 3.4, 3.6, 3.0, 1.8])
# fmt: on
BRAND_UPLIFT = 1.10  # price gained after joining a brand programme
UNREGISTERED_WEIGHT = 0.12  # unregistered items sell less than the catalogue
MULTI_ITEM_PLATFORMS = ("douyin", "channels")  # exports with one row per item of an order
PARTIAL_REFUND_PLATFORMS = ("channels", "taobao", "other")  # exports carrying refund amounts


@dataclass(slots=True)
class Session:
    room: str
    streamer: str
    start: dt.datetime
    end: dt.datetime
    amount: int = 0  # 成交金额 in fen
    items: int = 0
    buyers: int = 0


@dataclass(slots=True)
class Line:
    """One order line; money in fen, times naive Beijing time, `room` '' off live."""

    shop: str
    order_id: str
    line_id: str
    product: str
    qty: int
    price: int  # per item
    room: str
    province: str
    created: dt.datetime
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    refund: int = 0
    refund_at: dt.datetime | None = None

    @property
    def paid(self) -> int:
        return self.qty * self.price


@dataclass
class Sales:
    lines: list[Line] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)


def simulate(county: County, rng: np.random.Generator, first: dt.date, last: dt.date) -> Sales:
    """Sessions and order lines for every shop and room from `first` to `last` inclusive."""
    days = day_range(first, last)
    years = np.arange(len(days)) / 365.25
    demand = general_demand(days)
    seasons = {p.season: product_season(days, p.season) for p in county.products.values()}
    weights = {s.code: _product_weights(county, s, seasons) for s in county.shops.values()}
    volume = {code: _shop_season(county.shops[code], w, days) for code, w in weights.items()}

    sales = Sales(sessions=_plan_sessions(rng, county, days))
    stubs: list[tuple[str, np.ndarray, np.ndarray, str]] = []
    for shop in county.shops.values():
        lam = shop.rate * shop.growth**years * demand * volume[shop.code]
        day = np.repeat(np.arange(len(days)), rng.poisson(lam))
        if shop.platform == "other":  # fair stalls trade in daytime, paid on the spot
            second = rng.integers(9 * 3600, 17 * 3600, size=len(day))
        else:
            hour = rng.choice(24, size=len(day), p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
            second = hour * 3600 + rng.integers(0, 3600, size=len(day))
        stubs.append((shop.code, day, second, ""))
    stubs.extend(_live_orders(rng, county, sales.sessions, days, years, demand, volume))

    context = _Context(rng, county, days, weights, promotion(days), _Ids(rng))
    for shop_code, day, second, room in stubs:
        sales.lines.extend(_lines(context, county.shops[shop_code], day, second, room))
    sales.lines.sort(key=lambda line: (line.shop, line.created, line.line_id))
    _session_figures(rng, county, sales)
    return sales


def _product_weights(county: County, shop: Shop, seasons: dict[str, np.ndarray]) -> np.ndarray:
    """Day × product demand weights of a shop's catalogue."""
    columns = []
    for code in shop.products:
        product = county.products[code]
        base = 1.0 if product.registered else UNREGISTERED_WEIGHT
        columns.append(seasons[product.season] * base)
    return np.column_stack(columns)


def _shop_season(shop: Shop, weights: np.ndarray, days: list[dt.date]) -> np.ndarray:
    """Day factor of a shop's volume: its catalogue's seasons (fair days for a fair stall)."""
    total = weights.sum(axis=1)
    factor = total / total[:365].mean()
    if shop.platform == "other":
        factor = factor * np.where(_fair_days(days), 9.0, 0.0)
    return factor


def _fair_days(days: list[dt.date]) -> np.ndarray:
    """The county's fairs: three days a month, the 年货节 before 春节, 丰收节 in September."""
    out = np.zeros(len(days), dtype=bool)
    for i, day in enumerate(days):
        to_fest = (day - spring_festival(day.year + (day.month >= 11))).days
        out[i] = (
            (8 <= day.day <= 10)
            or (-20 <= to_fest <= -11)
            or (day.month == 9 and 21 <= day.day <= 23)
        )
    return out


def _plan_sessions(rng: np.random.Generator, county: County, days: list[dt.date]) -> list[Session]:
    """Two to four evening broadcasts a week per room, none over the 春节 break."""
    first, last = days[0], days[-1]
    sessions = []
    for room in county.rooms.values():
        opened = max(county.room_opened(room), first)
        week = opened - dt.timedelta(days=opened.weekday())
        while week <= last:
            count = rng.choice((2, 3, 4), p=(0.3, 0.45, 0.25))
            for weekday in sorted(rng.choice(7, size=count, replace=False)):
                day = week + dt.timedelta(days=int(weekday))
                festival = spring_festival(day.year + (day.month >= 11))
                if day < opened or day > last or -2 <= (day - festival).days <= 5:
                    continue
                if rng.random() < 0.1:  # the odd afternoon broadcast at the farm
                    start = dt.time(14, int(rng.integers(0, 60)))
                else:
                    start = dt.time(19 + int(rng.integers(0, 2)), int(rng.integers(0, 60)))
                begin = dt.datetime.combine(day, start)
                end = begin + dt.timedelta(minutes=int(rng.integers(90, 211)))
                streamers = room.streamers
                pick = 0 if len(streamers) == 1 or rng.random() < 0.75 else 1
                sessions.append(Session(room.code, streamers[pick][0], begin, end))
            week += dt.timedelta(days=7)
    return sessions


def _live_orders(
    rng: np.random.Generator,
    county: County,
    sessions: list[Session],
    days: list[dt.date],
    years: np.ndarray,
    demand: np.ndarray,
    volume: dict[str, np.ndarray],
) -> Iterator[tuple[str, np.ndarray, np.ndarray, str]]:
    """Order stubs sold during broadcasts (a few paid in the half hour after the end)."""
    first = days[0]
    start_day = np.array([(s.start.date() - first).days for s in sessions])
    start_second = np.array([_second_of_day(s.start) for s in sessions])
    length = np.array([(s.end - s.start).seconds for s in sessions])
    room_of = np.array([s.room for s in sessions])
    for room in county.rooms.values():
        picked = np.flatnonzero(room_of == room.code)
        growth = np.mean([county.shops[s].growth for s in room.sells])
        for shop_code in room.sells:
            day = start_day[picked]
            lam = room.per_session / len(room.sells) * growth ** years[day] * demand[day]
            lam = lam * np.sqrt(volume[shop_code][day])  # seasonal goods still sell live off-season
            which = np.repeat(picked, rng.poisson(lam))
            offset = (rng.random(len(which)) * length[which]).astype(int)
            late = rng.random(len(which)) < 0.05
            tail = length[which] + rng.integers(0, 25 * 60, size=len(which))
            offset = np.where(late, tail, offset)
            yield shop_code, start_day[which], start_second[which] + offset, room.code


def _second_of_day(moment: dt.datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


class _Ids:
    """Fresh order ids in each platform's shape, never repeated."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def new(self, platform: str, moment: dt.datetime) -> str:
        while True:
            value = self._draw(platform, moment)
            if value not in self.seen:
                self.seen.add(value)
                return value

    def _draw(self, platform: str, moment: dt.datetime) -> str:
        r = int(self.rng.integers(0, 10**17))
        if platform == "douyin":  # 19 digits
            return f"69{r:017d}"
        if platform == "kuaishou":  # 16 digits
            return f"2{r % 10**15:015d}"
        if platform == "channels":  # 19 digits
            return f"37{r:017d}"
        if platform == "taobao":  # 19 digits
            return f"4{r:017d}{r % 7}"
        if platform == "pinduoduo":  # YYMMDD- and 15 digits
            return f"{moment:%y%m%d}-5{r % 10**14:014d}"
        return f"OFF{r % 10**8:08d}"


@dataclass
class _Context:
    rng: np.random.Generator
    county: County
    days: list[dt.date]
    weights: dict[str, np.ndarray]
    promotion: np.ndarray
    ids: _Ids


def _lines(
    context: _Context, shop: Shop, day: np.ndarray, second: np.ndarray, room: str
) -> list[Line]:
    """Lines of one shop's orders: products, prices, payment, fulfilment and refunds."""
    rng, days, count = context.rng, context.days, len(day)
    if shop.platform in MULTI_ITEM_PLATFORMS:
        sizes = rng.choice((1, 2, 3), size=count, p=(0.9, 0.08, 0.02))
    else:
        sizes = np.ones(count, dtype=int)
    # Per order: payment and fulfilment lags, province; per line: product, quantity, price, refund.
    unpaid = (rng.random(count) < 0.03) & (shop.platform != "other")
    lags = np.column_stack([
        rng.integers(15, 480, size=count),  # placing to paying, seconds
        rng.integers(5 * 3600, 40 * 3600, size=count),  # paying to shipping
        rng.integers(3 * 86400, 8 * 86400, size=count),  # shipping to completion
    ])  # fmt: skip
    weights = np.array(list(PROVINCES.values())) / sum(PROVINCES.values())
    province = rng.choice(list(PROVINCES), size=count, p=weights)
    n = int(sizes.sum())
    line_day = np.repeat(day, sizes)
    cum = np.cumsum(context.weights[shop.code], axis=1)
    pick = (cum[line_day] < (rng.random(n) * cum[line_day, -1])[:, None]).sum(axis=1)
    pick = np.minimum(pick, cum.shape[1] - 1)
    qty = rng.choice((1, 2, 3, 4, 5), size=n, p=(0.74, 0.17, 0.06, 0.02, 0.01))
    noise = rng.uniform(0.96, 1.04, size=n) * context.promotion[line_day]
    refund_draw = rng.random(n)
    refund_share = rng.uniform(0.15, 0.5, size=n)
    refund_lag = np.where(
        rng.random(n) < 0.4,  # before shipping, else after the parcel arrived
        rng.integers(2 * 3600, 30 * 3600, size=n),
        rng.integers(2 * 86400, 12 * 86400, size=n),
    )
    full_rate = 0.055 + (0.02 if room else 0.0)  # impulse buys in broadcasts come back more
    partial_rate = 0.012 if shop.platform in PARTIAL_REFUND_PLATFORMS else 0.0

    catalogue = [context.county.products[code] for code in shop.products]
    out: list[Line] = []
    ends = np.cumsum(sizes)
    for i in range(count):
        moment = dt.datetime.combine(days[day[i]], dt.time()) + dt.timedelta(seconds=int(second[i]))
        if moment.date() > days[-1]:  # a late broadcast running past the last day
            continue
        order_id = context.ids.new(shop.platform, moment)
        chosen: set[int] = set()
        for j in range(ends[i] - sizes[i], ends[i]):
            k = int(pick[j])
            while k in chosen:  # one row per distinct product within an order
                k = int(rng.integers(0, len(catalogue)))
            chosen.add(k)
            product = catalogue[k]
            joined = context.county.joined_on(product)
            uplift = BRAND_UPLIFT if joined and moment.date() >= joined else 1.0
            # 抖店 gives each item of a multi-item order its own 子订单编号.
            own_id = sizes[i] > 1 and shop.platform == "douyin"
            line = Line(
                shop=shop.code,
                order_id=order_id,
                line_id=context.ids.new("douyin", moment) if own_id else order_id,
                product=product.code,
                qty=int(qty[j]),
                price=int(round(product.price * uplift * noise[j] * 100)),
                room=room,
                province=str(province[i]),
                created=moment,
            )
            if not unpaid[i]:
                _pay(line, moment, lags[i], on_the_spot=shop.platform == "other")
                if refund_draw[j] < full_rate:
                    line.refund = line.paid
                elif refund_draw[j] < full_rate + partial_rate:
                    line.refund = max(100, int(line.paid * refund_share[j]))
                if line.refund:
                    line.refund_at = moment + dt.timedelta(seconds=int(refund_lag[j]))
            out.append(line)
    return out


def _pay(line: Line, moment: dt.datetime, lags: np.ndarray, *, on_the_spot: bool) -> None:
    """Paid at `moment`: set when it was placed, shipped and completed."""
    line.paid_at = moment
    if on_the_spot:  # a fair stall hands the goods over at once
        line.shipped_at = line.done_at = moment
        return
    place, ship, complete = (dt.timedelta(seconds=int(x)) for x in lags)
    line.created = moment - place
    line.shipped_at = moment + ship
    line.done_at = line.shipped_at + complete


def _session_figures(rng: np.random.Generator, county: County, sales: Sales) -> None:
    """Fill each session's 成交金额/件数/人数 from the lines paid in it."""
    by_room: dict[str, list[Session]] = {}
    for session in sales.sessions:
        by_room.setdefault(session.room, []).append(session)
    for sessions in by_room.values():
        sessions.sort(key=lambda s: s.start)
    orders: dict[tuple[str, dt.datetime], set[str]] = {}
    for line in sales.lines:
        if not line.room or line.paid_at is None:
            continue
        found = _find_session(by_room[line.room], line.paid_at)
        if found is None:
            continue
        found.amount += line.paid
        found.items += line.qty
        orders.setdefault((found.room, found.start), set()).add(line.order_id)
    for session in sales.sessions:
        session.buyers = len(orders.get((session.room, session.start), ()))
        if not county.rooms[session.room].shop and session.buyers:
            # A 达人 room also sells other counties' goods, which no export here carries.
            extra = rng.uniform(0.3, 0.9)
            session.amount += int(session.amount * extra)
            session.items += int(round(session.items * extra))
            session.buyers += int(round(session.buyers * extra))


def _find_session(sessions: list[Session], moment: dt.datetime) -> Session | None:
    """The session of a room whose [start, end + 30 minutes] holds `moment`, if any."""
    index = bisect.bisect_right(sessions, moment, key=lambda s: s.start)
    if index == 0:
        return None
    session = sessions[index - 1]
    return session if moment <= session.end + dt.timedelta(minutes=30) else None
