"""Entity type names, categories, and what a request such as `entity_detection=pii` selects.

Names: the `elevenlabs` 2.78 SDK ships one list of entity types, the Fern type
`ConfigEntityType` (types/config_entity_type.py): top-level types ("email_address",
"contact_number", "dob", "url") and dotted subtypes ("financial_id.payment_card
.payment_card_number", "unique_id.government_issued_id"). A detected entity is reported
under its most specific name, the last part of its path (as the SDK example `name_given`).

A request may name `all`, a category (pii, phi, pci, other, offensive_language), a type by
its full path, any parent path ("financial_id"), any part of a path ("payment_card"), or an
alias below. Anything else is accepted and selects nothing (rule B1: be lenient).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EntityType:
    path: str  # as in ConfigEntityType
    categories: frozenset[str]
    aliases: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """What `entity_type` says: the most specific part of the path."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def selectors(self) -> frozenset[str]:
        parts = self.path.split(".")
        prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        return frozenset(prefixes | set(parts) | self.aliases | self.categories | {"all"})


# PII: personal data; PCI: payment card data; PHI: the HIPAA Safe Harbor identifiers this
# server can find (telephone numbers, e-mail addresses, dates of birth, government numbers,
# account numbers, device identifiers including IP addresses, URLs); other: the rest.
EMAIL = EntityType("email_address", frozenset({"pii", "phi"}), frozenset({"email"}))
PHONE = EntityType("contact_number", frozenset({"pii", "phi"}),
                   frozenset({"phone_number", "phone", "telephone_number"}))
CARD = EntityType("financial_id.payment_card.payment_card_number", frozenset({"pii", "pci"}),
                  frozenset({"credit_card", "credit_card_number", "card_number"}))
IBAN = EntityType("financial_id.bank_account.bank_account_number",
                  frozenset({"pii", "phi"}), frozenset({"iban", "bank_account"}))
SSN = EntityType("unique_id.government_issued_id", frozenset({"pii", "phi"}),
                 frozenset({"ssn", "social_security_number", "us_social_security_number"}))
IP = EntityType("unique_id.device_id", frozenset({"pii", "phi"}),
                frozenset({"ip_address", "ip"}))
URL = EntityType("url", frozenset({"other", "phi"}))
DOB = EntityType("dob", frozenset({"pii", "phi"}), frozenset({"date_of_birth"}))

SUPPORTED: tuple[EntityType, ...] = (EMAIL, PHONE, CARD, IBAN, SSN, IP, URL, DOB)
CATEGORIES = ("all", "pii", "phi", "pci", "other", "offensive_language")

# ConfigEntityType entries this server never reports (docs/privacy.md says why)
NOT_SUPPORTED = (
    "name", "name.name_given", "name.name_family", "name.name_other", "age",
    "religious_belief", "political_opinion", "sexual_orientation", "ethnicity_race",
    "marital_status", "occupation", "physical_attribute", "language", "username", "password",
    "organization", "financial_id.payment_card.payment_card_expiration_date",
    "financial_id.payment_card.payment_card_cvv",
    "financial_id.bank_account.bank_routing_number",
    "financial_id.bank_account.swift_bic_code", "financial_id.financial_id_other",
    "location", "location.location_address", "location.location_city",
    "location.location_postal_code", "location.location_coordinate",
    "location.location_state", "location.location_country", "location.location_other",
    "date", "date_interval", "unique_id.account_number", "unique_id.vehicle_id",
    "unique_id.healthcare_number", "unique_id.healthcare_number.medical_record_number",
    "unique_id.healthcare_number.health_plan_beneficiary_number",
    "unique_id.unique_id_other", "medical", "medical.medical_condition",
    "medical.medication", "medical.medical_procedure", "medical.medical_measurement",
    "medical.medical_other", "offensive_language",
)


def select(requested: Iterable[str]) -> frozenset[EntityType]:
    """The supported types that the requested names, categories and paths cover."""
    wanted = {r.strip().lower() for r in requested if r.strip()}
    return frozenset(t for t in SUPPORTED if wanted & t.selectors)
