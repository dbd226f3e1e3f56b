"""The ASK SDK's (de)serialiser, minus costs it pays again on every request.

`DefaultSerializer` resolves every model class by name through `__import__` each time it
meets one (a dozen per envelope), works out each class's field names afresh for every
object, both ways, and reads every timestamp with `dateutil`'s general parser (a fifth of a
warm turn, and an import of its own on a cold start). Here the classes and their field
lists are looked up once per process. Alexa's timestamps are one ISO 8601 shape, which the
standard library reads to the same instant; anything else still goes to `dateutil`. The
models read from a given JSON, and the JSON written for a given response, are the SDK's,
and so is what it refuses.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer

_UNKNOWN = object()


class _Fields(NamedTuple):
    """A model class's fields, in the orders the SDK reads and writes them."""

    reading: tuple[tuple[str, str, Any], ...]  # (attribute, JSON name, declared type)
    names: frozenset[str]  # the JSON names
    writing: tuple[tuple[str, str], ...]  # (attribute, JSON name)


# What Alexa sends ("2026-11-24T10:15:30Z", sometimes with milliseconds or an offset), and
# nothing that `datetime.fromisoformat` and `dateutil` might read differently.
_ALEXA_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


# What DefaultSerializer passes through as it is.
_PRIMITIVE = DefaultSerializer.PRIMITIVE_TYPES


class Codec(DefaultSerializer):
    """Reads and writes what DefaultSerializer does; shareable by threads."""

    def __init__(self) -> None:
        self._classes: dict[str, Any] = {}
        self._types: dict[str, tuple[str, Any]] = {}
        self._fields: dict[type, _Fields] = {}

    def read(self, document: Any, obj_type: Any) -> Any:
        """What `deserialize` makes of a JSON text, from that text already parsed."""
        return None if document is None else self._DefaultSerializer__deserialize(document, obj_type)

    def serialize(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, _PRIMITIVE):
            return obj
        if isinstance(obj, list):
            return [self.serialize(item) for item in obj]
        if isinstance(obj, dict):
            return {key: self.serialize(value) for key, value in obj.items()}
        if not hasattr(obj, "deserialized_types") or isinstance(obj, (tuple, date, Enum, Decimal)):
            return super().serialize(obj)
        out = {}
        for attribute, name in self._fields_of(type(obj)).writing:
            value = getattr(obj, attribute)
            if value is not None:
                out[name] = self.serialize(value)
        return out

    # The SDK calls its private methods by their mangled names, so these replace them.

    def _DefaultSerializer__deserialize(self, payload: Any, obj_type: Any) -> Any:  # noqa: N802
        if payload is None:
            return None
        if isinstance(obj_type, str):
            shape, inner = self._types.get(obj_type) or self._type(obj_type)
            if shape == "list":
                return [self._DefaultSerializer__deserialize(item, inner) for item in payload]
            if shape == "row":  # "list[a, b]": one type per position
                return [
                    self._DefaultSerializer__deserialize(item, kind) for item, kind in zip(payload, inner, strict=False)
                ]
            if shape == "dict":
                return {key: self._DefaultSerializer__deserialize(value, inner) for key, value in payload.items()}
            if shape == "empty":
                return inner()
            obj_type = inner
        if obj_type in self.PRIMITIVE_TYPES:
            return self._DefaultSerializer__deserialize_primitive(payload, obj_type)
        if obj_type is object:
            return payload
        if obj_type in (date, datetime):
            return self._DefaultSerializer__deserialize_datetime(payload, obj_type)
        return self._DefaultSerializer__deserialize_model(payload, obj_type)

    def _type(self, name: str) -> tuple[str, Any]:
        """What the SDK makes of a type's name each time it meets it, worked out once."""
        shape: tuple[str, Any]
        if name.startswith("list["):
            items = re.match(r"list\[(.*)\]", name)
            if items is None:
                shape = ("empty", list)
            elif "," in items.group(1):
                shape = ("row", tuple(kind.strip() for kind in items.group(1).split(",")))
            else:
                shape = ("list", items.group(1).strip())
        elif name.startswith("dict("):
            values = re.match(r"dict\(([^,]*), (.*)\)", name)
            shape = ("empty", dict) if values is None else ("dict", values.group(2))
        elif name in self.NATIVE_TYPES_MAPPING:
            shape = ("type", self.NATIVE_TYPES_MAPPING[name])
        else:
            shape = ("type", self._DefaultSerializer__load_class_from_name(name))
        self._types[name] = shape
        return shape

    def _DefaultSerializer__load_class_from_name(self, class_name: str) -> Any:  # noqa: N802
        found = self._classes.get(class_name)
        if found is None:
            found = self._classes[class_name] = DefaultSerializer._DefaultSerializer__load_class_from_name(
                self, class_name
            )
        return found

    def _DefaultSerializer__deserialize_datetime(self, payload: Any, obj_type: Any) -> Any:  # noqa: N802
        if obj_type is datetime and isinstance(payload, str) and _ALEXA_INSTANT.fullmatch(payload):
            try:
                return datetime.fromisoformat(payload.replace("Z", "+00:00"))
            except ValueError:  # a field out of range: the SDK's own parse says so its way
                pass
        return DefaultSerializer._DefaultSerializer__deserialize_datetime(self, payload, obj_type)

    def _DefaultSerializer__deserialize_model(self, payload: Any, obj_type: Any) -> Any:  # noqa: N802
        try:
            if issubclass(obj_type, Enum):
                return obj_type(payload)
            if not hasattr(obj_type, "deserialized_types"):
                return payload
            if hasattr(obj_type, "get_real_child_model"):
                obj_type = self._DefaultSerializer__get_obj_by_discriminator(payload, obj_type)
            fields = self._fields_of(obj_type)
            model = obj_type()
            for attribute, name, declared in fields.reading:
                if name in payload:
                    if declared is _UNKNOWN:
                        raise KeyError(attribute)
                    value = self._DefaultSerializer__deserialize(payload[name], declared)
                    setattr(model, attribute, value)
            for extra in payload:
                if extra not in fields.names:
                    setattr(model, extra, payload[extra])
            return model
        except Exception as error:
            raise SerializationException(str(error)) from error

    def _fields_of(self, model: Any) -> _Fields:
        found = self._fields.get(model)
        if found is None:
            types: dict[str, Any] = model.deserialized_types
            renamed: dict[str, str] = getattr(model, "attribute_map", {})
            names = {**renamed, **{attribute: attribute for attribute in types if attribute not in renamed}}
            found = self._fields[model] = _Fields(
                # A name the attribute map has and the types do not fails only when it is read.
                reading=tuple((attribute, name, types.get(attribute, _UNKNOWN)) for attribute, name in names.items()),
                names=frozenset(names.values()),
                writing=tuple((attribute, names[attribute]) for attribute in types),
            )
        return found


CODEC = Codec()
