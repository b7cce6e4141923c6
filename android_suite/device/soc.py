"""Which SoC a handset has, from its system properties alone (pure).

Reclaim behaviour differs by vendor kernel tree (MediaTek and Qualcomm ship
their own memory tuning), so results are grouped by SoC vendor. Sources, most
trustworthy first:

1. ``ro.soc.manufacturer`` / ``ro.soc.model`` (Android 12+, what
   ``Build.SOC_MANUFACTURER``/``SOC_MODEL`` return). Spellings vary by vendor:
   "Mediatek", "MediaTek", "MTK"; "QTI" or "Qualcomm"; "Google"; "Samsung"
   or "Samsung Electronics". The emulator says "AOSP"/"ranchu": skipped.
2. Platform names: ``ro.board.platform``, ``ro.hardware``,
   ``ro.mediatek.platform`` (old MediaTek, e.g. "MT6771"),
   ``ro.vendor.mediatek.platform``, ``ro.vendor.qti.soc_model``
   (set by QTI's init.qti.qcv.sh), ``ro.hardware.chipname``, ``ro.chipname``
   (Samsung). These are sometimes empty or a board name (old MediaTek
   vendors put e.g. "huawei82_cwet_kk" in ro.board.platform), so a source
   that does not match falls through to the next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

UNKNOWN = "unknown"

_MANUFACTURERS = {
    "mediatek": "MediaTek",
    "mtk": "MediaTek",
    "qti": "Qualcomm",
    "qualcomm": "Qualcomm",
    "qualcomm technologies, inc": "Qualcomm",
    "google": "Google",
    "samsung": "Samsung",
    "samsung electronics": "Samsung",
    "samsung electronics co., ltd.": "Samsung",
    "unisoc": "Unisoc",
    "spreadtrum": "Unisoc",
    "hisilicon": "HiSilicon",
    "rockchip": "Rockchip",
    "nvidia": "Nvidia",
    "amlogic": "Amlogic",
    "allwinner": "Allwinner",
}
_SKIP_MANUFACTURERS = {"", "aosp", "unknown"}

# Qualcomm platform codenames -> part number, only where one codename means one
# part (e.g. "parrot" covers SM6450 and SM7435, so it stays a codename).
_QCOM_CODENAMES = {
    "msmnile": "SM8150",
    "kona": "SM8250",
    "lito": "SM7250",
    "lahaina": "SM8350",
    "taro": "SM8450",
    "cape": "SM8475",
    "kalama": "SM8550",
    "pineapple": "SM8650",
    "sun": "SM8750",
    "trinket": "SM6125",
    "bengal": "SM6115",
    "holi": "SM4350",
}
_QCOM_OTHER_CODENAMES = {"parrot", "crow", "ukee", "diwali", "ravelin", "blair", "khaje", "atoll"}
_GOOGLE_PLATFORMS = {"gs101": "GS101", "gs201": "GS201", "zuma": "Tensor G3", "zumapro": "Tensor G4"}
# ro.hardware on Pixels is the device codename, not the SoC.
_GOOGLE_HARDWARE = {
    "oriole", "raven", "bluejay", "panther", "cheetah", "lynx", "tangorpro", "felix",
    "shiba", "husky", "akita", "tokay", "caiman", "komodo", "comet", "ripcurrent",
}  # fmt: skip
_EMULATOR = {"ranchu", "goldfish", "cutf", "cutf_cvm", "vsoc_x86_64", "vsoc_arm64"}

# (pattern on a lower-cased platform string, vendor, model builder)
_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^mt(\d{4}[a-z]?)"), "MediaTek", "MT{0}"),
    (re.compile(r"^(msm|sdm|sm|apq|qcs|qcm)(\d{3,4})"), "Qualcomm", "{upper}"),
    (re.compile(r"^(?:samsung)?exynos(\d{3,4})"), "Samsung", "Exynos {0}"),
    (re.compile(r"^universal(\d{4})"), "Samsung", "Exynos {0}"),
    (re.compile(r"^s5e(\d{4})"), "Samsung", "{upper}"),
    (re.compile(r"^(ums\d{3,4}|sp\d{4}[a-z]?|sc\d{4}[a-z]?)"), "Unisoc", "{upper}"),
    (re.compile(r"^(kirin\d{3,4}|hi\d{4})"), "HiSilicon", "{upper}"),
    (re.compile(r"^(rk\d{4})"), "Rockchip", "{upper}"),
    (re.compile(r"^(tegra\w*)"), "Nvidia", "{0}"),
)

_SOURCES = (
    "ro.board.platform",
    "ro.hardware",
    "ro.mediatek.platform",
    "ro.vendor.mediatek.platform",
    "ro.vendor.qti.soc_model",
    "ro.hardware.chipname",
    "ro.chipname",
)


def _match_platform(raw: str) -> tuple[str, str] | None:
    """(vendor, model) for one platform-like string, or None if it says nothing."""
    value = raw.strip().lower()
    if not value or value in _EMULATOR:
        return None
    name = value.split("_")[0]  # "ums9230_hulk" -> "ums9230"
    if name in _QCOM_CODENAMES:
        return "Qualcomm", _QCOM_CODENAMES[name]
    if name in _QCOM_OTHER_CODENAMES:
        return "Qualcomm", name
    if name == "qcom":
        return "Qualcomm", UNKNOWN
    if name in _GOOGLE_PLATFORMS:
        return "Google", _GOOGLE_PLATFORMS[name]
    if name in _GOOGLE_HARDWARE:
        return "Google", UNKNOWN
    for pattern, vendor, template in _PATTERNS:
        m = pattern.match(value)
        if m:
            return vendor, template.format(*m.groups(), upper=m.group(0).upper())
    return None


def classify_soc(props: Mapping[str, str]) -> tuple[str, str]:
    """Classify the SoC from getprop properties.

    Args:
        props: the device's properties (missing keys and empty values are fine).

    Returns:
        (vendor, model): vendor is "MediaTek", "Qualcomm", "Google",
        "Samsung", "Unisoc", another vendor name ("HiSilicon", "Rockchip"...)
        or "unknown"; model is e.g. "MT6771", "SM8450", "GS101", "Exynos 9810",
        or "unknown" when no source names the part.
    """
    manufacturer = props.get("ro.soc.manufacturer", "").strip()
    soc_model = props.get("ro.soc.model", "").strip()
    vendor = None
    if manufacturer.lower() not in _SKIP_MANUFACTURERS:
        vendor = _MANUFACTURERS.get(manufacturer.lower().rstrip("."), manufacturer)
    matches = [m for key in _SOURCES if (m := _match_platform(props.get(key, ""))) is not None]
    if vendor is None and matches:
        vendor = matches[0][0]
    if vendor is None:
        # Nothing names the vendor. abi still says whether it is an ARM part,
        # but that is not a vendor: keep "unknown" and the best raw name.
        raw = soc_model or props.get("ro.board.platform", "").strip() or props.get("ro.hardware", "").strip()
        return UNKNOWN, raw or UNKNOWN
    if soc_model and soc_model.lower() not in _EMULATOR:
        # MediaTek reports "MT6893" here; Qualcomm "SM8450"; Pixels "GS101" or
        # "Tensor G3". Upper-case only MediaTek's to match the platform form.
        model = soc_model.upper() if vendor == "MediaTek" else soc_model
        return vendor, model
    models = [model for v, model in matches if v == vendor and model != UNKNOWN]
    return vendor, models[0] if models else UNKNOWN
