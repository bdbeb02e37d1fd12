"""Registration and import forms of the registry screens.

Forms only parse and check what the officer typed (NIK via :mod:`jaminan.registry.nik`); the rules of the
registry live in :mod:`jaminan.registry.services`, whose domain errors the views put back on the field they
name (:func:`add_domain_error`). Every field can be checked inline: the widgets post the whole form to the
``registry:validate`` endpoint (HTMX) as the officer types, which answers with that field's error.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaminan.accounts.roles import Role
from jaminan.accounts.scoping import role_of
from jaminan.geo.models import Office, Regency
from jaminan.geo.zones import institution_today
from jaminan.registry.errors import RegistryError
from jaminan.registry.models import (
    PROGRAMS,
    ConstructionProject,
    Dependant,
    Employer,
    Membership,
    Sex,
)
from jaminan.registry.nik import check_nik, nik_error_message
from jaminan.registry.services import (
    OVERRIDE_ROLES,
    PersonFacts,
    check_pu_programs,
    pmi_jht_check,
    pmi_jht_options,
)
from jaminan.web import formatting

User = AbstractBaseUser | AnonymousUser

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
_MONTH = re.compile(r"^(?:([0-9]{4})-([0-9]{1,2})|([0-9]{1,2})/([0-9]{4}))$")
_RUPIAH = re.compile(r"^(?:Rp\.?\s*)?([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)$", re.IGNORECASE)


class RupiahField(forms.CharField):
    """Whole rupiah: ``3500000``, ``3.500.000`` or ``Rp3.500.000``; never a float."""

    def __init__(self, *, min_value: int = 0, **kwargs: Any) -> None:
        self.min_value = min_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = str(value or "").strip().replace(" ", "")
        if not text:
            return None
        match = _RUPIAH.match(text)
        if match is None:
            raise ValidationError(
                _("Masukkan bilangan bulat rupiah, mis. 3500000 atau 3.500.000."), code="invalid"
            )
        return int(match.group(1).replace(".", ""))

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and value < self.min_value:
            raise ValidationError(
                _("Nilai minimal Rp%(min)s.") % {"min": f"{self.min_value:,}".replace(",", ".")},
                code="min_value",
            )


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A calendar month: ``2026-03`` (what ``<input type="month">`` sends) or ``03/2026``; the first day."""

    widget = MonthInput

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        match = _MONTH.match(text)
        try:
            if match is None:
                raise ValueError(text)
            year, month = (
                (int(match[1]), int(match[2])) if match[1] else (int(match[4]), int(match[3]))
            )
            if year < 1900:
                raise ValueError(text)
            return date(year, month, 1)
        except ValueError:
            raise ValidationError(
                _("Masukkan bulan sebagai YYYY-MM, mis. 2026-03."), code="invalid"
            ) from None

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, date) else value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        input_formats=DATE_INPUT_FORMATS,
    )


def office_regencies(user: User | None) -> QuerySet[Regency]:
    """Regencies whose employers, projects or BPU participants ``user`` may register: all of them for
    an administrator or a regional office, those served by the user's own branch office otherwise."""
    qs = Regency.objects.select_related("province", "branch_office").filter(
        branch_office__isnull=False
    )
    scope = getattr(user, "scope", None)
    office: Office | None = getattr(scope, "office", None) if scope is not None else None
    if (
        role_of(user) != Role.SYSTEM_ADMIN
        and office is not None
        and office.kind != Office.Kind.REGIONAL
    ):
        qs = qs.filter(branch_office=office)
    return qs.order_by("province__code", "name")


class RegencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.province.name})"


class RegistryForm(forms.Form):
    """Bootstrap classes, and HTMX inline validation of every field against ``form_name``."""

    form_name: ClassVar[str] = ""
    template_name = "registry/_form_fields.html"

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        url = self.validation_url()
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            if url and not isinstance(widget, forms.FileInput):
                widget.attrs.update(
                    {
                        "hx-post": url,
                        "hx-trigger": "input changed delay:400ms, change"
                        if isinstance(widget, forms.TextInput | forms.Textarea)
                        else "change",
                        "hx-target": f"#error-{self.add_prefix(name)}",
                        "hx-swap": "outerHTML",
                        "hx-include": "closest form",
                        "hx-vals": f'{{"_field": "{name}"}}',
                    }
                )

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    widget.attrs["class"] = f"{css} is-invalid".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._mark_invalid()

    def validation_url(self) -> str:
        return reverse("registry:validate", args=[self.form_name]) if self.form_name else ""

    def field_errors(self, name: str) -> list[str]:
        """The errors of one field after a full clean (what the inline check shows)."""
        self.is_valid()
        return [str(e) for e in self.errors.get(name, [])]

    def add_domain_error(self, exc: RegistryError) -> None:
        """Put a service's domain error on the field it names (else on the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class PersonFieldsForm(RegistryForm):
    """A person's facts, with the NIK checked against the birth date and sex it encodes."""

    regency_required: ClassVar[bool] = False

    nik = forms.CharField(
        label=_("NIK"),
        max_length=16,
        min_length=1,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "16"}
        ),
    )
    name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    birth_date = date_field(_("Tanggal lahir"))
    sex = forms.ChoiceField(label=_("Jenis kelamin"), choices=[("", "—"), *Sex.choices])
    address_regency = RegencyChoiceField(
        label=_("Kabupaten/kota domisili"), queryset=Regency.objects.none(), required=False
    )
    phone = forms.CharField(label=_("Telepon"), max_length=20, required=False)
    override_reason = forms.CharField(
        label=_("Alasan pengecualian NIK"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Hanya bila tanggal lahir atau jenis kelamin memang berbeda dari yang tersandi di NIK "
            "(petugas kantor cabang/administrator; dicatat di log audit)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if role_of(self.user) not in OVERRIDE_ROLES:
            # Only an officer or administrator may register a person against what the NIK encodes.
            del self.fields["override_reason"]
        regency = self.fields["address_regency"]
        assert isinstance(regency, forms.ModelChoiceField)
        if self.regency_required:
            regency.queryset = office_regencies(self.user)
            regency.required = True
        else:
            regency.queryset = Regency.objects.select_related("province").order_by(
                "province__code", "name"
            )

    def clean_nik(self) -> str:
        nik = str(self.cleaned_data["nik"]).strip()
        info = check_nik(nik, birth_date=None, sex=None).info
        if not info.valid:
            raise ValidationError(nik_error_message(info.error), code="nik_invalid")
        return nik

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nik, birth_date, sex = data.get("nik"), data.get("birth_date"), data.get("sex")
        if nik and not (data.get("override_reason") or "").strip():
            check = check_nik(nik, birth_date=birth_date, sex=sex or None)
            if birth_date and not check.birth_date_matches:
                self.add_error(
                    "birth_date",
                    ValidationError(
                        _("Tanggal lahir tidak sesuai dengan NIK (NIK menyandikan %(date)s).")
                        % {
                            "date": check.info.birth_date.strftime("%d/%m/%Y")
                            if check.info.birth_date
                            else "?"
                        },
                        code="nik_birth_date_mismatch",
                    ),
                )
            if sex and not check.sex_matches:
                self.add_error(
                    "sex",
                    ValidationError(
                        _("Jenis kelamin tidak sesuai dengan NIK (NIK menyandikan %(sex)s).")
                        % {"sex": Sex(check.info.sex).label},
                        code="nik_sex_mismatch",
                    ),
                )
        if birth_date and birth_date > institution_today():
            self.add_error("birth_date", _("Tanggal lahir tidak boleh di masa depan."))
        return data

    def person_facts(self) -> PersonFacts:
        d = self.cleaned_data
        return PersonFacts(
            nik=d["nik"],
            name=d["name"],
            birth_date=d["birth_date"],
            sex=d["sex"],
            address_regency=d.get("address_regency"),
            phone=d.get("phone") or "",
            override_reason=d.get("override_reason") or "",
        )


class ProgramsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class PuWorkerForm(PersonFieldsForm):
    """A wage earner (PU) of one employer."""

    form_name = "pu"

    wage = RupiahField(label=_("Upah sebulan (Rp)"))
    start_date = date_field(_("Mulai bekerja"))
    programs = ProgramsField(
        label=_("Program"),
        required=False,
        choices=[(p, p) for p in PROGRAMS],
        help_text=_("Kosongkan untuk program wajib sesuai skala usaha dan usia pekerja."),
    )

    def __init__(self, *args: Any, employer: Employer | None = None, **kwargs: Any) -> None:
        self.employer = employer
        super().__init__(*args, **kwargs)

    def validation_url(self) -> str:
        if self.employer is None:
            return super().validation_url()
        return reverse("registry:validate-employer", args=[self.form_name, self.employer.npp])

    def clean_start_date(self) -> date:
        start: date = self.cleaned_data["start_date"]
        # Registration ahead of the first working day is allowed; only a far-off date is a typo.
        if (start - institution_today()).days > 366:
            raise ValidationError(_("Tanggal mulai bekerja lebih dari setahun ke depan."))
        return start

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        programs, birth_date, start = (
            data.get("programs"),
            data.get("birth_date"),
            data.get("start_date"),
        )
        if (
            self.employer is not None
            and programs
            and birth_date
            and start
            and "programs" not in self.errors
        ):
            try:
                check_pu_programs(
                    programs=programs,
                    size_class=self.employer.size_class,
                    birth_date=birth_date,
                    start_date=start,
                    registered_on=institution_today(),
                )
            except RegistryError as exc:
                self.add_domain_error(exc)
        return data


class BpuWorkerForm(PersonFieldsForm):
    """A non-wage earner (BPU): JKK and JKM, optionally JHT."""

    form_name = "bpu"
    regency_required = True

    declared_income = RupiahField(label=_("Penghasilan yang dilaporkan (Rp)"))
    with_jht = forms.BooleanField(label=_("Ikut JHT"), required=False)
    payer = forms.ChoiceField(
        label=_("Pembayar iuran"),
        choices=[
            (Membership.Payer.SELF, Membership.Payer.SELF.label),
            (Membership.Payer.SPONSOR, Membership.Payer.SPONSOR.label),
        ],
        initial=Membership.Payer.SELF,
    )
    start_date = date_field(_("Mulai terlindungi"), required=False)

    def programs(self) -> list[str]:
        return ["JKK", "JKM", "JHT"] if self.cleaned_data.get("with_jht") else ["JKK", "JKM"]


class PmiWorkerForm(PersonFieldsForm):
    """An Indonesian migrant worker (PMI): JKK and JKM, optionally JHT with an amount per month."""

    form_name = "pmi"
    regency_required = True

    destination = forms.CharField(label=_("Negara penempatan"), max_length=80)
    contract_months = forms.IntegerField(
        label=_("Lama kontrak (bulan)"), min_value=1, max_value=120
    )
    start_date = date_field(_("Mulai terlindungi"))
    with_jht = forms.BooleanField(label=_("Ikut JHT"), required=False)
    jht_monthly = forms.TypedChoiceField(
        label=_("Iuran JHT per bulan (PMI)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Wajib bila ikut JHT; ditagih untuk seluruh lama kontrak."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        jht = self.fields["jht_monthly"]
        assert isinstance(jht, forms.TypedChoiceField)
        # The options of the rules in force this month (the registration month).
        jht.choices = [
            ("", "—"),
            *((v, formatting.rupiah(v)) for v in pmi_jht_options(institution_today())),
        ]

    def programs(self) -> list[str]:
        return ["JKK", "JKM", "JHT"] if self.cleaned_data.get("with_jht") else ["JKK", "JKM"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        months = data.get("contract_months")
        if months and not {"jht_monthly", "contract_months"} & set(self.errors):
            try:
                pmi_jht_check(
                    jht_monthly=data.get("jht_monthly"),
                    with_jht=bool(data.get("with_jht")),
                    contract_months=months,
                    month=institution_today(),
                )
            except RegistryError as exc:
                self.add_domain_error(exc)
        return data


class EmployerForm(RegistryForm):
    form_name = "employer"

    name = forms.CharField(label=_("Nama pemberi kerja"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Jenis"), choices=Employer.Kind.choices, initial=Employer.Kind.BUSINESS
    )
    legal_form = forms.ChoiceField(
        label=_("Bentuk badan hukum"), choices=[("", "—"), *Employer.LegalForm.choices]
    )
    npwp = forms.CharField(
        label=_("NPWP"),
        max_length=20,
        required=False,
        help_text=_("15 atau 16 digit; titik dan tanda hubung boleh."),
    )
    kbli = forms.RegexField(
        label=_("KBLI"),
        regex=r"^[0-9]{5}$",
        error_messages={"invalid": _("KBLI harus 5 digit angka.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "5"}),
    )
    size_class = forms.ChoiceField(
        label=_("Skala usaha"), choices=[("", "—"), *Employer.Size.choices]
    )
    risk_group = forms.TypedChoiceField(
        label=_("Kelompok risiko JKK"),
        coerce=int,
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
    )
    labour_intensive = forms.BooleanField(label=_("Industri padat karya"), required=False)
    regency = RegencyChoiceField(label=_("Kabupaten/kota"), queryset=Regency.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regency = self.fields["regency"]
        assert isinstance(regency, forms.ModelChoiceField)
        regency.queryset = office_regencies(self.user)

    def clean_npwp(self) -> str:
        npwp = re.sub(r"[.\-\s]", "", self.cleaned_data.get("npwp") or "")
        if npwp and not re.fullmatch(r"[0-9]{15,16}", npwp):
            raise ValidationError(_("NPWP harus 15 atau 16 digit angka."))
        return npwp


class ProjectForm(RegistryForm):
    form_name = "project"

    name = forms.CharField(label=_("Nama proyek"), max_length=250)
    owner_type = forms.ChoiceField(
        label=_("Pemilik proyek"), choices=[("", "—"), *ConstructionProject.OwnerType.choices]
    )
    contract_value = RupiahField(label=_("Nilai kontrak (Rp)"), min_value=1)
    start_date = date_field(_("Mulai"))
    end_date = date_field(_("Selesai"))
    regency = RegencyChoiceField(
        label=_("Lokasi (kabupaten/kota)"), queryset=Regency.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regency = self.fields["regency"]
        assert isinstance(regency, forms.ModelChoiceField)
        regency.queryset = office_regencies(self.user)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("Tanggal selesai proyek sebelum tanggal mulai."))
        return data


class MembershipForm(RegistryForm):
    """A form about one existing membership (checked inline against it)."""

    def __init__(self, *args: Any, membership: Membership | None = None, **kwargs: Any) -> None:
        self.membership = membership
        super().__init__(*args, **kwargs)

    def validation_url(self) -> str:
        if self.membership is None:
            return super().validation_url()
        return reverse("registry:validate-membership", args=[self.form_name, self.membership.pk])


class EndMembershipForm(MembershipForm):
    """End an active membership: the last day and the reason (services.end_membership)."""

    form_name = "end"

    end_date = date_field(_("Tanggal berakhir"))
    reason = forms.ChoiceField(
        label=_("Alasan berakhir"), choices=[("", "—"), *Membership.EndReason.choices]
    )

    def clean_end_date(self) -> date:
        end: date = self.cleaned_data["end_date"]
        m = self.membership
        if m is not None and end < m.start_date:
            raise ValidationError(
                _("Tanggal berakhir sebelum tanggal mulai (%(start)s).")
                % {"start": m.start_date.strftime("%d/%m/%Y")},
                code="end_before_start",
            )
        if (end - institution_today()).days > 366:
            raise ValidationError(_("Tanggal berakhir lebih dari setahun ke depan."))
        return end

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.membership is not None and self.membership.end_date is not None:
            raise ValidationError(_("Kepesertaan ini sudah berakhir."), code="membership_ended")
        return data


class WageForm(MembershipForm):
    """Report the wage (PU) or declared income (BPU) in force from a month (services.report_wage)."""

    form_name = "wage"

    month = MonthField(label=_("Berlaku mulai bulan"), help_text=_("Format YYYY-MM."))
    amount = RupiahField(label=_("Upah/penghasilan sebulan (Rp)"))

    def clean_month(self) -> date:
        month: date = self.cleaned_data["month"]
        m = self.membership
        if m is not None and month < m.start_date.replace(day=1):
            raise ValidationError(_("Bulan upah sebelum kepesertaan dimulai."), code="invalid")
        if m is not None and m.end_date is not None and month > m.end_date:
            raise ValidationError(_("Bulan upah setelah kepesertaan berakhir."), code="invalid")
        return month

    def add_domain_error(self, exc: RegistryError) -> None:
        # The BPU tier check names the declared income, which this form calls the amount.
        if exc.field == "declared_income":
            self.add_error("amount", exc.message)
        else:
            super().add_domain_error(exc)


class DependantForm(RegistryForm):
    """A spouse, child or parent of a participant (services.add_dependant); NIK optional."""

    form_name = "dependant"

    name = forms.CharField(label=_("Nama lengkap"), max_length=150)
    relation = forms.ChoiceField(
        label=_("Hubungan"), choices=[("", "—"), *Dependant.Relation.choices]
    )
    birth_date = date_field(_("Tanggal lahir"))
    nik = forms.CharField(
        label=_("NIK"),
        max_length=16,
        required=False,
        help_text=_("Boleh dikosongkan (mis. anak yang belum memiliki NIK)."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "16"}
        ),
    )
    school_level = forms.ChoiceField(
        label=_("Jenjang sekolah"), choices=Dependant.SchoolLevel.choices, required=False
    )

    def clean_nik(self) -> str:
        nik = str(self.cleaned_data.get("nik") or "").strip()
        if nik:
            info = check_nik(nik, birth_date=None, sex=None).info
            if not info.valid:
                raise ValidationError(nik_error_message(info.error), code="nik_invalid")
        return nik

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nik, birth_date = data.get("nik"), data.get("birth_date")
        if nik and birth_date:
            check = check_nik(nik, birth_date=birth_date, sex=None)
            if not check.birth_date_matches:
                self.add_error(
                    "birth_date",
                    ValidationError(
                        _("Tanggal lahir tidak sesuai dengan NIK (NIK menyandikan %(date)s).")
                        % {
                            "date": check.info.birth_date.strftime("%d/%m/%Y")
                            if check.info.birth_date
                            else "?"
                        },
                        code="nik_birth_date_mismatch",
                    ),
                )
        if birth_date and birth_date > institution_today():
            self.add_error("birth_date", _("Tanggal lahir tidak boleh di masa depan."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas daftar pekerja (CSV atau XLSX)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Uji coba (periksa saja, tidak menyimpan)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Cari"),
        max_length=150,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autofocus": True,
                "type": "search",
                "placeholder": _("NIK, nama, nomor KPJ atau NPP"),
            }
        ),
    )


FORMS: dict[str, type[RegistryForm]] = {
    form.form_name: form
    for form in (
        PuWorkerForm,
        BpuWorkerForm,
        PmiWorkerForm,
        EmployerForm,
        ProjectForm,
        EndMembershipForm,
        WageForm,
        DependantForm,
    )
}
