"""Published-figure reconciliation: the published figures (geo.PublishedFigure) beside what the record
says, and internal consistency checks that flag published figures that cannot all be true.

Everything is driven by the figures file: figures are grouped by (date, scope), and the checks look
for the metric families below by name. A figure's rounding is read from the figure itself (trailing
zeros of a count, decimals of a percentage), so "2,5 juta" is 2,450,000–2,550,000, and alternative
values that the notes quote from other outlets ("Barito Post prints 4,694,054") are checked too.

Checks:
- ``gap_arithmetic``: denominator − participants = the published "not yet protected" figure.
- ``parts_total``: figures by program or segment add up to the stated total.
- ``coverage_ratio``: a coverage percentage equals participants over some workforce figure: the
  group's own denominator, participants plus the group's gap, a number quoted in the note (plus
  the participants when the note calls it "not yet protected"), or a workforce statistic of the
  same area within 18 months.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from jaminan.coverage import selectors
from jaminan.coverage.selectors import User, scoped
from jaminan.coverage.services import CLAIM_PROGRAMS
from jaminan.geo.models import Province, PublishedFigure, Regency, WorkforceStat

DENOMINATOR = re.compile(r"employed population|labour force|potential workers|workforce", re.I)
PARTICIPANTS = re.compile(
    r"^(active )?participants( \(PU \+ BPU\)| \(by NIK\))?$|^protected workers$|^covered workers$",
    re.I,
)
GAP = re.compile(r"not yet (protected|registered)", re.I)
COVERAGE = re.compile(r"^coverage(?! target)", re.I)
PART_FAMILIES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "claims_count",
        re.compile(r"^claims paid - all programmes \(count\)$"),
        re.compile(r"^claims (JHT|JKK|JKM|JP|JKP) \(count\)$"),
    ),
    (
        "claims_amount",
        re.compile(r"^claims paid - all programmes$"),
        re.compile(r"^claims (JHT|JKK|JKM|JP|JKP) \(amount\)$"),
    ),
    (
        "active_segments",
        re.compile(r"^active participants$"),
        re.compile(r"^active participants - "),
    ),
    ("segments", re.compile(r"^participants$"), re.compile(r"^participants - ")),
)
ALTERNATIVE = re.compile(r"([A-Z][\w.]*(?: [A-Z][\w.]*)*) prints (\d{1,3}(?:,\d{3})+|\d+)\b")
NOTE_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s*(?:million|juta))?", re.I)
GAP_WORDS = re.compile(r"not yet|not registered|unregistered|belum", re.I)
WORKFORCE_WINDOW_MONTHS = 18


@dataclass(frozen=True)
class Value:
    """A published number with its rounding: the true value lies within ``value ± half``."""

    value: Decimal
    half: Decimal
    label: str

    @property
    def low(self) -> Decimal:
        return self.value - self.half

    @property
    def high(self) -> Decimal:
        return self.value + self.half


def rounding_half(value: Decimal, unit: str) -> Decimal:
    """Half the last significant unit: 2500000 -> 50000, 46.33 -> 0.005, 7996826 -> 0."""
    normal = value.normalize()
    exponent = int(normal.as_tuple().exponent)
    if unit == "percent":
        return Decimal(10) ** min(exponent, 0) / 2
    if exponent <= 0:
        return Decimal(0)
    return Decimal(10) ** exponent / 2


def _value(fig: PublishedFigure, label: str | None = None) -> Value:
    return Value(fig.value, rounding_half(fig.value, fig.unit), label or fig.metric)


def _alternatives(fig: PublishedFigure) -> list[tuple[str, Decimal]]:
    return [
        (outlet, Decimal(number.replace(",", "")))
        for outlet, number in ALTERNATIVE.findall(fig.note or "")
        if Decimal(number.replace(",", "")) != fig.value
    ]


def _note_numbers(note: str) -> list[tuple[Value, bool]]:
    """Numbers quoted in a note, each with whether the note calls it an uncovered gap
    ("543,310 not yet protected")."""
    values = []
    for match in NOTE_NUMBER.finditer(note or ""):
        number, scale = match.group(1), match.group(2) or ""
        if scale:
            value = Decimal(number.replace(",", "")) * 1_000_000
            decimals = len(number.split(".")[1]) if "." in number else 0
            half = Decimal(10) ** (6 - decimals) / 2
        elif "." in number:
            continue  # a decimal without "million" is a percentage or an amount in bn
        else:
            value = Decimal(number.replace(",", ""))
            half = Decimal(0)
        gap_like = bool(GAP_WORDS.search(note[match.end() : match.end() + 30]))
        label = _("angka di catatan: %(n)s") % {"n": number + scale}
        values.append((Value(value, half, label), gap_like))
    return values


@dataclass
class Finding:
    check: str
    date: str
    scope_level: str
    scope: str
    message: str
    published: Decimal
    expected_low: Decimal
    expected_high: Decimal
    figures: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "date": self.date,
            "scope_level": self.scope_level,
            "scope": self.scope,
            "message": self.message,
            "published": self.published,
            "expected_low": self.expected_low,
            "expected_high": self.expected_high,
            "figures": self.figures,
            "sources": self.sources,
        }


def _fmt(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value.normalize():f}".replace(".", ",")


def _groups(
    figures: Iterable[PublishedFigure],
) -> dict[tuple[str, str, str], list[PublishedFigure]]:
    groups: dict[tuple[str, str, str], list[PublishedFigure]] = defaultdict(list)
    for fig in figures:
        groups[(fig.date, fig.scope_level, fig.scope)].append(fig)
    return groups


def _check_gap(key: tuple[str, str, str], figs: list[PublishedFigure]) -> list[Finding]:
    denominators = [f for f in figs if DENOMINATOR.search(f.metric)]
    participants = [f for f in figs if PARTICIPANTS.search(f.metric)]
    gaps = [f for f in figs if GAP.search(f.metric)]
    findings = []
    for d in denominators:
        for p in participants:
            for g in gaps:
                dv, pv = _value(d), _value(p)
                low, high = dv.low - pv.high, dv.high - pv.low
                printed = [(_("angka terpublikasi"), g.value, rounding_half(g.value, g.unit))]
                printed += [(outlet, v, rounding_half(v, g.unit)) for outlet, v in _alternatives(g)]
                for outlet, value, half in printed:
                    if value + half < low or value - half > high:
                        findings.append(
                            Finding(
                                check="gap_arithmetic",
                                date=key[0],
                                scope_level=key[1],
                                scope=key[2],
                                message=_(
                                    "%(d)s − %(p)s = %(expected)s, tetapi %(outlet)s mencetak "
                                    '%(printed)s untuk "%(metric)s" (selisih %(diff)s).'
                                )
                                % {
                                    "d": _fmt(d.value),
                                    "p": _fmt(p.value),
                                    "expected": _fmt(d.value - p.value),
                                    "outlet": outlet,
                                    "printed": _fmt(value),
                                    "metric": g.metric,
                                    "diff": _fmt(value - (d.value - p.value)),
                                },
                                published=value,
                                expected_low=low,
                                expected_high=high,
                                figures=[d.metric, p.metric, g.metric],
                                sources=sorted({d.source, p.source, g.source}),
                            )
                        )
    return findings


def _check_parts(key: tuple[str, str, str], figs: list[PublishedFigure]) -> list[Finding]:
    findings = []
    for _family, total_re, part_re in PART_FAMILIES:
        totals = [f for f in figs if total_re.search(f.metric)]
        parts = [f for f in figs if part_re.search(f.metric)]
        if not totals or len(parts) < 2:
            continue
        part_sum = sum((p.value for p in parts), Decimal(0))
        part_half = sum((rounding_half(p.value, p.unit) for p in parts), Decimal(0))
        for total in totals:
            half = rounding_half(total.value, total.unit) + part_half
            if abs(part_sum - total.value) <= half:
                continue
            listed = " + ".join(f"{p.metric} {_fmt(p.value)}" for p in parts)
            alternatives = [
                f"{outlet}: {p.metric} {_fmt(v)}" for p in parts for outlet, v in _alternatives(p)
            ]
            message = _(
                '%(parts)s = %(sum)s, tetapi totalnya "%(total_metric)s" %(total)s '
                "(selisih %(diff)s)."
            ) % {
                "parts": listed,
                "sum": _fmt(part_sum),
                "total_metric": total.metric,
                "total": _fmt(total.value),
                "diff": _fmt(total.value - part_sum),
            }
            duplicated = defaultdict(list)
            for p in parts:
                duplicated[p.value].append(p.metric)
            same = [names for names in duplicated.values() if len(names) > 1]
            if same:
                message += " " + _("Angka yang sama untuk %(names)s: mungkin salah salin.") % {
                    "names": ", ".join(" dan ".join(names) for names in same)
                }
            if alternatives:
                message += " " + _("Versi lain: %(alts)s.") % {"alts": "; ".join(alternatives)}
            findings.append(
                Finding(
                    check="parts_total",
                    date=key[0],
                    scope_level=key[1],
                    scope=key[2],
                    message=message,
                    published=total.value,
                    expected_low=part_sum - part_half,
                    expected_high=part_sum + part_half,
                    figures=[total.metric, *(p.metric for p in parts)],
                    sources=sorted({total.source, *(p.source for p in parts)}),
                )
            )
    return findings


def _months_of(text: str) -> int | None:
    match = re.match(r"^(\d{4})(?:-(\d{2}))?", text)
    if not match:
        return None
    return int(match.group(1)) * 12 + int(match.group(2) or 12) - 1


def _workforce_candidates(
    key: tuple[str, str, str], stats: list[WorkforceStat], provinces: dict[str, str]
) -> list[Value]:
    when = _months_of(key[0])
    if when is None:
        return []
    if key[1] == "region":
        wanted = ("region", selectors.REGION_CODE)
    elif key[1] == "province" and key[2] in provinces:
        wanted = ("province", provinces[key[2]])
    else:
        wanted = ("regency", key[2])
    values = []
    for stat in stats:
        matches = (stat.level, stat.area_code) == wanted or (
            wanted[0] == "regency" and stat.level == "regency" and stat.area_name == key[2]
        )
        stat_when = _months_of(stat.period)
        if not matches or stat_when is None:
            continue
        if abs(stat_when - when) > WORKFORCE_WINDOW_MONTHS:
            continue
        for label, number in (
            (_("penduduk bekerja"), stat.employed),
            (_("angkatan kerja"), stat.labour_force),
        ):
            if number:
                values.append(
                    Value(
                        Decimal(number),
                        rounding_half(Decimal(number), "persons"),
                        f"{stat.area_name} {stat.period} {label}",
                    )
                )
    return values


def _check_ratio(
    key: tuple[str, str, str],
    figs: list[PublishedFigure],
    stats: list[WorkforceStat],
    provinces: dict[str, str],
) -> list[Finding]:
    coverages = [f for f in figs if COVERAGE.search(f.metric) and f.unit == "percent"]
    if not coverages:
        return []
    participants = [_value(f) for f in figs if PARTICIPANTS.search(f.metric)]
    for _family, _total, part_re in PART_FAMILIES[2:]:
        parts = [f for f in figs if part_re.search(f.metric)]
        if len(parts) >= 2:
            participants.append(
                Value(
                    sum((p.value for p in parts), Decimal(0)),
                    sum((rounding_half(p.value, p.unit) for p in parts), Decimal(0)),
                    " + ".join(p.metric for p in parts),
                )
            )
    if not participants:
        return []
    gaps = [_value(f) for f in figs if GAP.search(f.metric)]
    findings = []
    for cov in coverages:
        published = _value(cov)
        notes = _note_numbers(" ".join(f.note for f in figs))
        tried: list[tuple[Value, Value, Decimal, Decimal]] = []
        consistent = False
        for p in participants:
            candidates = [_value(f) for f in figs if DENOMINATOR.search(f.metric)]
            candidates += [
                Value(p.value + g.value, p.half + g.half, f"{p.label} + {g.label}") for g in gaps
            ]
            candidates += [n for n, _gap in notes if n.value > p.value]
            candidates += [
                Value(p.value + n.value, p.half + n.half, f"{p.label} + {n.label}")
                for n, gap_like in notes
                if gap_like
            ]
            candidates += _workforce_candidates(key, stats, provinces)
            for d in candidates:
                if d.low <= 0:
                    continue
                low = max(p.low, Decimal(0)) * 100 / d.high
                high = p.high * 100 / d.low
                tried.append((p, d, low, high))
                if published.high >= low and published.low <= high:
                    consistent = True
        if consistent or not tried:
            continue
        best = min(tried, key=lambda t: abs((t[2] + t[3]) / 2 - published.value))
        p, d, low, high = best
        findings.append(
            Finding(
                check="coverage_ratio",
                date=key[0],
                scope_level=key[1],
                scope=key[2],
                message=_(
                    "Cakupan %(pct)s%% tidak sama dengan peserta ÷ tenaga kerja untuk penyebut "
                    "mana pun yang tersedia (%(n)s dicoba); yang terdekat: %(p)s ÷ %(d)s "
                    "(%(dlabel)s) = %(ratio)s%%."
                )
                % {
                    "pct": _fmt(published.value),
                    "n": len(tried),
                    "p": _fmt(p.value),
                    "d": _fmt(d.value),
                    "dlabel": d.label,
                    "ratio": _fmt(((low + high) / 2).quantize(Decimal("0.01"))),
                },
                published=published.value,
                expected_low=low.quantize(Decimal("0.01")),
                expected_high=high.quantize(Decimal("0.01")),
                figures=[cov.metric, p.label, d.label],
                sources=sorted({f.source for f in figs}),
            )
        )
    return findings


def consistency_findings(*, user: User) -> list[Finding]:
    """Every internal inconsistency among the published figures."""
    figures = list(scoped(user, PublishedFigure.objects.all()))
    stats = list(WorkforceStat.objects.all())
    provinces = {p.name: p.code for p in Province.objects.all()}
    findings: list[Finding] = []
    for key, figs in sorted(_groups(figures).items()):
        findings += _check_gap(key, figs)
        findings += _check_parts(key, figs)
        findings += _check_ratio(key, figs, stats, provinces)
    return findings


# ------------------------------------------------------------------------ record comparison

#: Published metric -> (figure of the record, segment or None).
RECORD_METRICS: dict[str, tuple[str, str | None]] = {
    "participants": ("active", None),
    "active participants": ("active", None),
    "protected workers": ("active", None),
    "covered workers": ("active", None),
    "participants (PU + BPU)": ("active", None),
    "active participants - formal (wage earners)": ("active", "PU"),
    "participants - wage earners (PU)": ("active", "PU"),
    "formal participants": ("active", "PU"),
    "active participants - informal (BPU)": ("active", "BPU"),
    "participants - non-wage earners (BPU)": ("active", "BPU"),
    "informal participants": ("active", "BPU"),
    "active participants - construction services (jakon)": ("active", "JAKON"),
    "employers (pemberi kerja / badan usaha)": ("employers", None),
    "APBD-funded vulnerable workers": ("budget_funded", None),
    "contributions received (penerimaan iuran)": ("collected_year", None),
    "coverage": ("coverage_pct", None),
    # Claims of a year (figures dated ``YYYY``): the year to date of the latest snapshot that year.
    "claims paid - all programmes (count)": ("claims_year", "count:total"),
    "claims paid - all programmes": ("claims_year", "amount:total"),
    **{
        f"claims {p.upper()} ({what})": ("claims_year", f"{what[:6]}:{p}")
        for p in CLAIM_PROGRAMS
        for what in ("count", "amount")
    },
}


@dataclass
class Comparison:
    figure: PublishedFigure
    area_code: str | None
    month: date | None
    record: Decimal | None
    difference: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        f = self.figure
        return {
            "date": f.date,
            "scope_level": f.scope_level,
            "scope": f.scope,
            "metric": f.metric,
            "published": f.value,
            "unit": f.unit,
            "note": f.note,
            "source": f.source,
            "area_code": self.area_code,
            "record_month": self.month,
            "record": self.record,
            "difference": self.difference,
        }


def _area_code(
    level: str, scope: str, provinces: dict[str, str], regencies: dict[str, str]
) -> str | None:
    if level == "region":
        return selectors.REGION_CODE
    if level == "province":
        return provinces.get(scope)
    return regencies.get(scope)


def _record_month(text: str) -> date | None:
    months = _months_of(text)
    if months is None:
        return None
    return selectors.latest_month(date(months // 12, months % 12 + 1, 1))


def _claims_of_year(user: User, code: str, month: date, period: str, spec: str) -> Decimal | None:
    """Claims paid in the year ``period`` (``YYYY``) from January to ``month`` (the latest snapshot
    of that year); None for a figure of another kind of period or without a snapshot that year."""
    if not re.fullmatch(r"\d{4}", period) or month.year != int(period):
        return None
    what, program = spec.split(":")
    block = selectors.claims(user=user, area=code, month=month)["year_to_date"]
    if program == "total":
        return Decimal(block["total"][what])
    found = [p for p in block["programs"] if p["program"] == program]
    return Decimal(found[0][what])


def comparisons(*, user: User, basis: str = "bpjs") -> list[Comparison]:
    """The published figures the record can speak to, each beside the record's value for the same
    area at the latest snapshot on or before the figure's date (None: no snapshot yet)."""
    provinces = {p.name: p.code for p in Province.objects.all()}
    regencies: dict[str, str] = {}
    for r in Regency.objects.order_by("-kind", "code"):  # kota before kabupaten of the same name
        regencies.setdefault(r.name, r.code)
    figures = scoped(user, PublishedFigure.objects.filter(metric__in=RECORD_METRICS))
    cache: dict[tuple[str, date], dict[str, selectors.CoverageRow]] = {}
    months: dict[str, date | None] = {}
    result = []
    for fig in figures.order_by("-date", "scope_level", "scope", "metric"):
        code = _area_code(fig.scope_level, fig.scope, provinces, regencies)
        if fig.date not in months:
            months[fig.date] = _record_month(fig.date)
        month = months[fig.date]
        record: Decimal | None = None
        found: selectors.CoverageRow | None = None
        if code is not None and month is not None:
            # One breakdown per level and month serves every figure of that level and month.
            level = fig.scope_level if fig.scope_level in ("province", "regency") else "region"
            if (level, month) not in cache:
                cache[(level, month)] = {
                    r.code: r
                    for r in selectors.coverage(user=user, month=month, level=level, basis=basis)
                }
            found = cache[(level, month)].get(code)
        if found is not None and month is not None and code is not None:
            row = found
            name, segment = RECORD_METRICS[fig.metric]
            if name == "coverage_pct":
                record = row.coverage_pct
            elif name == "collected_year":
                record = Decimal(
                    sum(
                        entry["collected"]
                        for entry in selectors.series(user=user, area=code, months=12, until=month)
                    )
                )
            elif name == "claims_year":
                record = _claims_of_year(user, code, month, fig.date, str(segment))
            elif segment is not None:
                record = Decimal(row.segments.get(segment, 0))
            else:
                record = Decimal(row.figures.get(name, 0))
        result.append(
            Comparison(
                figure=fig,
                area_code=code,
                month=month,
                record=record,
                difference=(record - fig.value) if record is not None else None,
            )
        )
    return result
