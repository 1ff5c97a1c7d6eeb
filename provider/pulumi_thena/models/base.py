"""Configured pydantic bases and the lenient number types shared by every model.

Definition models (what a user writes) are strict about field names and lenient about numbers,
because values that crossed Pulumi's RPC arrive as floats (``1.0`` for ``1``). API models (what
the server returns) are tolerant: unknown fields are kept, missing optional fields are fine.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel


def whole_to_int(value: Any) -> Any:
    """Turn whole floats into ints, recursively through lists and dicts; leave the rest alone."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: whole_to_int(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_to_int(item) for item in value]
    return value


def _reject_bool(value: Any) -> Any:
    # bool is an int subclass in Python; a YAML `true` where a number belongs is a mistake.
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    return value


def _int_from_whole_float(value: Any) -> Any:
    value = _reject_bool(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected a whole number, got {value}")
        return int(value)
    return value


def _bool_only(value: Any) -> Any:
    # pydantic would read "yes", "off" or 1 as booleans; the loader reads YAML 1.2, in which
    # yes/no/on/off are strings, and a quoted "false" is a string in any YAML.
    if not isinstance(value, bool):
        raise ValueError(
            f"expected true or false, got {value!r}; write true or false without quotes "
            "(yes, no, on and off are strings in YAML 1.2)"
        )
    return value


def _step_ref_to_str(value: Any) -> Any:
    """Dependencies are step identifiers as strings; accept 2, 2.0 and "2" alike."""
    value = _reject_bool(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


Int = Annotated[int, BeforeValidator(_int_from_whole_float)]
"""An integer that also accepts whole floats (``3.0``) as they come back from Pulumi's RPC."""

Number = Annotated[float | int, BeforeValidator(_reject_bool), AfterValidator(whole_to_int)]
"""A JSON number; whole values canonicalize to int so that ``1.0`` and ``1`` compare equal."""

Bool = Annotated[bool, BeforeValidator(_bool_only)]
"""A JSON boolean and nothing else: no "yes", "false" or 1."""

StepRef = Annotated[str, BeforeValidator(_step_ref_to_str)]
"""A reference to a step's ``stepIdentifier``, carried as a string on the wire."""

FreeForm = Annotated[dict[str, Any], AfterValidator(whole_to_int)]
"""A free-form JSON object (step input, metadata, filters) with whole floats turned to ints."""


class WireModel(BaseModel):
    """camelCase on the wire, snake_case in Python; either name is accepted on input."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready camelCase form, without fields that were never set or are None."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class DefinitionModel(WireModel):
    """What a user writes: unknown fields are errors (the message suggests the closest name)."""

    model_config = ConfigDict(extra="forbid")


class ApiModel(WireModel):
    """What the server returns: unknown fields are kept, missing optional fields are fine."""

    model_config = ConfigDict(extra="allow")
