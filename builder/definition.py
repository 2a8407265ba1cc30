"""The form definition: one JSON document per form version (DESIGN.md §2).

The pydantic models here are the source of truth; ``schemas/form-definition.schema.json`` is
generated from them (``python -m builder.definition > schemas/form-definition.schema.json``) and a
test fails when the two disagree.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
STEP_ACTIONS = ("approve", "reject", "return", "comment", "reassign")

LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"  # a Babel language (ISO 639-1 or -3), optionally with a country
Locale = Annotated[str, StringConstraints(pattern=LOCALE_PATTERN)]
TextPointer = Annotated[str, StringConstraints(pattern=r"^/(title|description|schema|uiSchema|settings|workflow)(/.*)?$")]
StepAction = Literal["approve", "reject", "return", "comment", "reassign"]
Policy = Literal["any", "all", "n"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class WorkflowStep(_Strict):
    """One approval step: who decides, how, when it applies and how long it may take."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$", description="Stable identifier of the step.")
    name: str = Field(min_length=1, max_length=120, description="Shown to reviewers and residents.")
    group: str = Field(min_length=1, max_length=120, description="Name of the group that decides.")
    policy: Policy = Field("any", description="any: one member decides; all: every member; n: `approvals_needed` members.")
    approvals_needed: int | None = Field(None, ge=1, le=100, description="With policy n: how many approvals.")
    condition: dict[str, Any] | None = Field(
        None, description="JSON Schema fragment on the answers; the step applies when it validates."
    )
    sla_days: int | None = Field(5, ge=1, le=365, description="Working days a decision may take.")
    actions: list[StepAction] = Field(default_factory=lambda: list(STEP_ACTIONS))
    comments_visible_to_resident: bool = Field(True, description="Whether the resident sees this step's public comments.")

    @model_validator(mode="after")
    def _n_policy_needs_a_count(self) -> WorkflowStep:
        if self.policy == "n" and not self.approvals_needed:
            raise ValueError("policy 'n' needs approvals_needed")
        return self


class Workflow(_Strict):
    """The approval steps, in order."""

    steps: list[WorkflowStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_step_ids(self) -> Workflow:
        ids = [step.id for step in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError("workflow step ids must be unique")
        return self


class AttachmentSettings(_Strict):
    """Defaults for file fields; a field may narrow them in its uiSchema options."""

    allowed_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/jpeg", "image/png"],
        description="MIME types accepted, checked against the file's content.",
    )
    max_size_mb: float = Field(10, gt=0, le=50)
    max_files: int = Field(5, ge=0, le=20)


class FormSettings(_Strict):
    """Who may submit, what the resident is told, and what happens to the data."""

    submission: Literal["anonymous", "signed_in"] = "anonymous"
    reference_prefix: str = Field("FW", pattern=r"^[A-Z]{2,4}$", description="Prefix of reference numbers, e.g. PW.")
    confirmation_text: str = Field(
        "Thank you. Your request has been received.", max_length=2000
    )
    retention_days: int = Field(
        730, ge=1, le=36500, description="Days approved or rejected requests are kept after their decision; "
        "also the period of withdrawn and abandoned requests unless they have their own.")
    retention_withdrawn_days: int | None = Field(
        None, ge=1, le=36500, description="Days withdrawn requests are kept after their withdrawal; "
        "unset: retention_days.")
    retention_abandoned_days: int | None = Field(
        None, ge=1, le=36500, description="Days a request may wait for the resident's answer (needs_info) before it "
        "is closed as abandoned and its data removed; unset: retention_days.")
    personal_data: list[str] = Field(default_factory=list, description="Property names holding personal data.")
    open_data: list[str] = Field(default_factory=list, description="Property names that may be published.")
    attachments: AttachmentSettings = Field(default_factory=AttachmentSettings)
    default_locale: str = Field("en", pattern=LOCALE_PATTERN)
    contact_email_field: str | None = Field(
        None, description="Property holding the resident's email, used for notifications when not signed in."
    )

    @property
    def retention(self) -> Retention:
        """The retention period of each kind of closed request, the optional ones filled in."""
        return Retention(finished_days=self.retention_days,
                         withdrawn_days=self.retention_withdrawn_days or self.retention_days,
                         abandoned_days=self.retention_abandoned_days or self.retention_days)


@dataclass(frozen=True)
class Retention:
    """How long each kind of request is kept, in days (``FormSettings.retention``)."""

    finished_days: int  # approved or rejected: from the decision
    withdrawn_days: int  # from the withdrawal
    abandoned_days: int  # waiting for the resident (needs_info): from when the waiting started


class FormDefinition(_Strict):
    """A whole form: answers schema, presentation, workflow and settings."""

    slug: str = Field(pattern=SLUG_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    department: str = Field(min_length=1, max_length=120, description="Slug of the owning department.")
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema (2020-12) of the answers.")
    ui_schema: dict[str, Any] = Field(default_factory=dict, alias="uiSchema")
    workflow: Workflow = Field(default_factory=Workflow)
    settings: FormSettings = Field(default_factory=FormSettings)
    translations: dict[Locale, dict[TextPointer, str]] = Field(
        default_factory=dict,
        description="Per locale (e.g. fr), translated texts keyed by the JSON pointer of the source text "
        "in this document (e.g. /schema/properties/size/title). See builder/translations.py.",
    )
    translation_sources: dict[Locale, dict[TextPointer, str]] = Field(
        default_factory=dict,
        description="Per locale and pointer, the source text a translation was made from; a translation whose "
        "source text has changed since is stale and marked for review in the builder.",
    )

    def to_document(self) -> dict[str, Any]:
        """The definition as the JSON document that is stored and exported."""
        return self.model_dump(mode="json", by_alias=True)


def parse_definition(document: dict[str, Any]) -> FormDefinition:
    """Parse a stored or imported document; raises ``pydantic.ValidationError`` when it is malformed."""
    return FormDefinition.model_validate(document)


def meta_schema() -> dict[str, Any]:
    """The JSON Schema of a form definition, generated from the models."""
    generated = FormDefinition.model_json_schema(by_alias=True, mode="validation")
    # pydantic refuses dict keys that miss their pattern; say the same in the meta-schema.
    for key in ("translations", "translation_sources"):
        translations = generated["properties"][key]
        translations["additionalProperties"] = False
        for per_locale in translations["patternProperties"].values():
            per_locale["additionalProperties"] = False
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://formwork.invalid/schemas/form-definition.schema.json",
        **generated,
    }


def meta_schema_text() -> str:
    """The meta-schema exactly as committed under ``schemas/``."""
    return json.dumps(meta_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(meta_schema_text())
