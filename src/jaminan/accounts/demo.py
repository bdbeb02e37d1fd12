"""Demo users, one per role, for `make demo`. Passwords are printed and are for local demos only."""

from __future__ import annotations

from dataclasses import dataclass, replace

from jaminan.accounts.roles import Role
from jaminan.accounts.services import ensure_role_groups, upsert_user
from jaminan.geo.models import Office


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    name: str
    office_code: str | None = None
    employer_npp: str = ""
    sponsor_code: str = ""
    participant_kpj: str = ""


DEMO_USERS = (
    DemoUser("admin", "admin-jaminan-2026", Role.SYSTEM_ADMIN, "Administrator Sistem"),
    DemoUser(
        "analis", "analis-jaminan-2026", Role.REGIONAL_ANALYST, "Analis Kanwil", "KW-KALIMANTAN"
    ),
    DemoUser(
        "petugas.bpn",
        "petugas-jaminan-2026",
        Role.BRANCH_OFFICER,
        "Petugas KC Balikpapan",
        "KC-BALIKPAPAN",
    ),
    DemoUser(
        "penyetuju",
        "penyetuju-jaminan-2026",
        Role.CLAIMS_APPROVER,
        "Penyetuju Klaim",
        "KC-BALIKPAPAN",
    ),
    DemoUser(
        "hrd.demo",
        "hrd-jaminan-2026",
        Role.EMPLOYER_USER,
        "HRD Pemberi Kerja",
        employer_npp="00000000",
    ),
    DemoUser(
        "donatur.demo",
        "donatur-jaminan-2026",
        Role.SPONSOR_USER,
        "Donatur",
        sponsor_code="DEMO-SPONSOR",
    ),
    DemoUser(
        "peserta.demo",
        "peserta-jaminan-2026",
        Role.PARTICIPANT,
        "Peserta",
        participant_kpj="00000000000",
    ),
)


def create_demo_users(
    *, employer_npp: str = "", participant_kpj: str = "", sponsor_code: str = ""
) -> list[DemoUser]:
    """Create (or reset) the demo users; idempotent. ``employer_npp`` and ``participant_kpj`` bind the
    employer and participant users to real records (the generated demo population)."""
    ensure_role_groups()
    offices = {o.code: o for o in Office.objects.all()}
    users = [
        replace(
            demo,
            employer_npp=employer_npp or demo.employer_npp,
            participant_kpj=(participant_kpj or demo.participant_kpj)
            if demo.participant_kpj
            else "",
        )
        if demo.role in (Role.EMPLOYER_USER, Role.PARTICIPANT)
        else replace(demo, sponsor_code=sponsor_code or demo.sponsor_code)
        if demo.role == Role.SPONSOR_USER
        else demo
        for demo in DEMO_USERS
    ]
    for demo in users:
        first, _, last = demo.name.partition(" ")
        upsert_user(
            username=demo.username,
            password=demo.password,
            role=demo.role,
            first_name=first,
            last_name=last,
            office=offices.get(demo.office_code) if demo.office_code else None,
            employer_npp=demo.employer_npp,
            sponsor_code=demo.sponsor_code,
            participant_kpj=demo.participant_kpj,
        )
    return users
