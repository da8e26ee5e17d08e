"""Clinical safety: emergencies first, then what may be answered at all (pharmacy rules, 3-4)."""

from pharmacy.safety.detector import PARSE_DATA_KEY, assess_message
from pharmacy.safety.emergency import (
    Emergency,
    EmergencyAssessment,
    assess_emergency,
    detect_emergency,
)

__all__ = [
    "Emergency",
    "EmergencyAssessment",
    "PARSE_DATA_KEY",
    "assess_emergency",
    "assess_message",
    "detect_emergency",
]
