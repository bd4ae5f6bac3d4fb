"""Which OpenStreetMap health facilities serve this population, and as what kind of place.

OpenStreetMap mixes public and private places: `amenity=clinic` holds private clinics, dental
practices and laboratories next to health centres, `amenity=doctors` is mostly private practices,
and the public/private tag is almost never set. Public places are recognised by their names
(Centre Hospitalier, CHU/CHR/CHP, Hôpital, Centre de santé, CSU/CSR, dispensaire, مستشفى, مركز صحي)
and operator. The rules, in order (the first that matches decides):

1. no name → dropped (`unnamed`: nobody can be sent to a place we cannot name);
2. a pharmacy (by type or name) → kept as `pharmacy`, listed only when the person asks for one;
   a morgue → dropped (`not_health`);
3. dental, laboratory, other specialities (radiology, optician, physiotherapy, dialysis, hearing)
   → dropped with that reason;
4. CNSS (the workers' insurance fund's clinics) → dropped (`insurance_fund`); military → `military`;
   a health administration office → `administration`;
5. the Red Crescent or an association → `association`;
6. private (tagged private, or Clinique/Polyclinique/Cabinet/Dr/privé/مصحة/عيادة/خاص) → `private`;
7. a maternity (maternité, maison d'accouchement, دار الولادة) without health-centre words → `maternity`;
8. a health centre (centre de santé, CSU, CSR, dispensaire, مركز صحي, مستوصف) → `primary_health_centre`;
9. a hospital by name (hôpital, CHU/CHR/CHP, centre hospitalier, مستشفى), or by its OSM type unless its
   name says it is something else (centre de diagnostic, poste médical, premiers secours: `unclear_facility`)
   → `hospital`, or `children_hospital` / `psychiatric_hospital` / `specialised_hospital` (oncology);
10. anything else: a doctor's surgery → `private_practice`; a clinic → `unclassified_clinic`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds of place the directory lists (curated entries use the last four too).
OSM_KINDS: tuple[str, ...] = ("hospital", "children_hospital", "psychiatric_hospital", "specialised_hospital",
                              "primary_health_centre", "maternity", "association", "pharmacy")
CURATED_KINDS: tuple[str, ...] = ("association", "listening_cell", "violence_unit", "hiv_testing",
                                  "hospital", "primary_health_centre", "maternity")
KINDS: tuple[str, ...] = tuple(dict.fromkeys(OSM_KINDS + CURATED_KINDS))
PUBLIC_HOSPITAL_KINDS: frozenset[str] = frozenset({"hospital", "children_hospital", "psychiatric_hospital",
                                                   "specialised_hospital"})
DROP_REASONS: tuple[str, ...] = ("unnamed", "dental", "laboratory", "other_speciality", "insurance_fund",
                                 "military", "administration", "private", "private_practice",
                                 "unclassified_clinic", "unclear_facility", "not_health", "no_location")

PLACEHOLDER_NAMES = frozenset({"unnamed facility", "unnamed", "noname"})


def _words(*patterns: str) -> re.Pattern[str]:
    """Whole-word patterns (Latin) or substrings (Arabic: words take glued articles and prefixes)."""
    return re.compile("|".join(patterns), re.IGNORECASE)


# \b does not work after an accented letter in every pattern below, hence the explicit lookarounds.
_B, _E = r"(?<![a-zà-ÿ])", r"(?![a-zà-ÿ])"
DENTAL = _words(rf"{_B}dentai", rf"{_B}dental", rf"{_B}dentist", rf"{_B}orthodont", "أسنان", "الاسنان")
LABORATORY = _words(rf"{_B}laborato", rf"{_B}labo{_E}", rf"{_B}lab{_E}", rf"{_B}institut pasteur", "مختبر",
                    "التحاليل", "معهد باستور")
PHARMACY = _words(rf"{_B}p?harmacie", rf"{_B}pharmacy", "صيدلية")
NOT_HEALTH = _words(rf"{_B}morgue", "مستودع الأموات")
OTHER_SPECIALITY = _words(rf"{_B}radiolog", rf"{_B}imagerie", rf"{_B}optique", rf"{_B}optic", rf"{_B}opticien",
                          rf"{_B}kin[ée]", rf"{_B}physioth", rf"{_B}dialys", rf"{_B}h[ée]modialys",
                          rf"{_B}orthopt", rf"{_B}orthophon", rf"{_B}audition", rf"{_B}auditif",
                          rf"{_B}f[ée]condation", rf"{_B}esth[ée]ti", rf"{_B}nutrition",
                          "الترويض", "السمع", "تصفية", "الأشعة")
INSURANCE_FUND = _words(rf"{_B}cnss{_E}", rf"{_B}cnops{_E}", "الضمان الاجتماعي")
MILITARY = _words(rf"{_B}militaire", rf"{_B}military", "العسكري")
ADMINISTRATION = _words(rf"{_B}d[ée]l[ée]gation", rf"{_B}direction r[ée]gionale", rf"{_B}minist[èe]re{_E}(?!.*sant)",
                        "مندوبية", "المديرية الجهوية", rf"{_B}institut de formation", rf"{_B}ifcs{_E}",
                        rf"{_B}centre de formation")
ASSOCIATION = _words(rf"{_B}croissant.rouge", rf"{_B}red crescent", rf"{_B}croix.rouge", "الهلال الأحمر",
                     rf"{_B}association", rf"{_B}ong{_E}", "جمعية", rf"{_B}ampf{_E}", rf"{_B}alcs{_E}")
PRIVATE = _words(rf"{_B}clini[cq]", rf"{_B}polyclini", rf"{_B}cabinet", rf"{_B}dr\.?{_E}",
                 rf"{_B}docteur", rf"{_B}doctor{_E}", rf"{_B}pr\.?\s", rf"{_B}professeur", rf"{_B}priv[ée]",
                 rf"{_B}private", rf"{_B}akdital", rf"{_B}infirmi[eè]r", rf"{_B}[àa] domicile", rf"{_B}m[ée]decin",
                 rf"{_B}sp[ée]cialiste", rf"{_B}gyn[ée]colog", rf"{_B}p[ée]diatre", rf"{_B}cardiolog",
                 rf"{_B}rhumatolog", rf"{_B}dermatolog", rf"{_B}urolog", rf"{_B}ophtalm", rf"{_B}psycholog",
                 rf"{_B}endocrinolog", rf"{_B}gastro", rf"{_B}pneumolog", rf"{_B}neurolog",
                 "مصحة", "عيادة", "خاص", "الدكتور", "دكتور", "الطبيب", "طبيب")
MATERNITY = _words(rf"{_B}maternit", rf"{_B}maison d.accouchement", rf"{_B}maison d.accouchements",
                   rf"{_B}accouchement", rf"{_B}maternity", rf"{_B}dar al oumouma", "دار الولادة", "دار الأمومة",
                   "مركز الولادة", "الولادة")
HEALTH_CENTRE = _words(rf"{_B}centre de sant[ée]", rf"{_B}centre sant[ée]", rf"{_B}centre de sante",
                       rf"{_B}c\.?s\.?[ucr]{_E}", rf"{_B}csu{_E}", rf"{_B}csr{_E}", rf"{_B}csc{_E}",
                       rf"{_B}dispensaire", rf"{_B}disp[eo]n+s+aire", rf"{_B}dispensary", rf"{_B}health cent(er|re)", rf"{_B}poste de sant[ée]",
                       rf"{_B}centre de sant[ée] (urbain|rural|communal)", rf"{_B}krankenstation",
                       "مركز صحي", "المركز الصحي", "المركز السحي", "مستوصف", "المستوصف")
HOSPITAL = _words(rf"{_B}h[ôo]p(ital)?\.?{_E}", rf"{_B}h[ôo]pital", rf"{_B}hospital", rf"{_B}hospitalier",
                  rf"{_B}ch[urp]{_E}", rf"{_B}centre hospitalier", rf"{_B}urgences?{_E}",
                  "مستشفى", "المستشفى", "مستشفي", "استشفائي", "الاستشفائي", "الإستشفائي")
CHILDREN = _words(rf"{_B}enfants?{_E}", rf"{_B}p[ée]diatri", rf"{_B}children", "الأطفال", "الاطفال")
PSYCHIATRY = _words(rf"{_B}psych?iatr", rf"{_B}psychatr", rf"{_B}sant[ée] mentale", rf"{_B}addictolog", rf"{_B}mental",
                    "الأمراض العقلية", "العقلية", "النفسية", "الادمان", "الإدمان")
ONCOLOGY = _words(rf"{_B}oncolog", rf"{_B}cancer", "السرطان", "الأورام", "الانكولوجيا")
# Named as another kind of place, though tagged amenity=hospital.
UNCLEAR = _words(rf"{_B}centre de diagnosti", rf"{_B}centre m[ée]dical", rf"{_B}poste m[ée]dical",
                 rf"{_B}premiers secours", rf"{_B}infirmary", rf"{_B}infirmerie", rf"{_B}d[ée]partement",
                 "إسعاف أولي", "مركز التشخيص")
EMERGENCY_WORDS = _words(rf"{_B}urgences?{_E}", "المستعجلات", "الإسعاف")


@dataclass(frozen=True)
class Facility:
    """One OpenStreetMap health facility, whatever the export it came from."""

    osm_type: str
    osm_id: str
    amenity: str
    name: str | None
    lat: float | None
    lon: float | None
    name_fr: str | None = None
    name_ar: str | None = None
    operator: str | None = None
    sector: str | None = None
    emergency: str | None = None
    opening_hours: str | None = None
    phone: str | None = None
    address: str | None = None

    @property
    def key(self) -> str:
        return f"osm:{self.osm_type}/{self.osm_id}"


@dataclass(frozen=True)
class Decision:
    """A kept place's kind, or the reason it was left out."""

    kind: str | None = None
    dropped: str | None = None

    @property
    def kept(self) -> bool:
        return self.kind is not None


def _clean_name(name: str | None) -> str | None:
    name = (name or "").strip()
    return None if not name or name.lower() in PLACEHOLDER_NAMES else name


def _hospital_kind(text: str) -> str:
    if CHILDREN.search(text):
        return "children_hospital"
    if PSYCHIATRY.search(text):
        return "psychiatric_hospital"
    if ONCOLOGY.search(text):
        return "specialised_hospital"
    return "hospital"


def classify(facility: Facility) -> Decision:
    """The kind of place `facility` is for this directory, or why it is left out (module docstring)."""
    if facility.lat is None or facility.lon is None:
        return Decision(dropped="no_location")
    names = [n for n in (_clean_name(facility.name), facility.name_fr, facility.name_ar) if n]
    if not names:
        return Decision(dropped="unnamed")
    text = " ".join(names)
    everything = f"{text} {facility.operator or ''}"
    amenity = facility.amenity
    if amenity == "pharmacy" or PHARMACY.search(text):
        return Decision(kind="pharmacy")
    if NOT_HEALTH.search(text):
        return Decision(dropped="not_health")
    if amenity == "dentist" or DENTAL.search(everything):
        return Decision(dropped="dental")
    if LABORATORY.search(everything):
        return Decision(dropped="laboratory")
    if INSURANCE_FUND.search(everything):
        return Decision(dropped="insurance_fund")
    if MILITARY.search(text):
        return Decision(dropped="military")
    if ADMINISTRATION.search(text) and not (HEALTH_CENTRE.search(text) or HOSPITAL.search(text)):
        return Decision(dropped="administration")
    if ASSOCIATION.search(text):
        return Decision(kind="association")
    if OTHER_SPECIALITY.search(text) and not HEALTH_CENTRE.search(text):
        return Decision(dropped="other_speciality")
    if facility.sector == "private" or PRIVATE.search(everything):
        return Decision(dropped="private")
    if MATERNITY.search(text) and not HEALTH_CENTRE.search(text):
        return Decision(kind="maternity")
    if HEALTH_CENTRE.search(text):
        return Decision(kind="primary_health_centre")
    if HOSPITAL.search(text):
        return Decision(kind=_hospital_kind(text))
    if UNCLEAR.search(text):
        return Decision(dropped="unclear_facility")
    if amenity == "hospital":
        return Decision(kind=_hospital_kind(text))
    if amenity == "doctors":
        return Decision(dropped="private_practice")
    if amenity == "clinic":
        return Decision(dropped="unclassified_clinic")
    return Decision(dropped="not_health")


def emergency_of(facility: Facility) -> str | None:
    """`yes`/`no` as OSM tags it; a place named "Urgences" has emergency care."""
    value = (facility.emergency or "").strip().lower()
    if value in ("yes", "no"):
        return value
    names = " ".join(n for n in (facility.name, facility.name_fr, facility.name_ar) if n)
    return "yes" if EMERGENCY_WORDS.search(names) else None
