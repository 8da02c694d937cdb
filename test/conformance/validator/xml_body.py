"""An XML element (awsQuery results, restXml bodies) checked against a
botocore shape: members declared, lists as <member> (or the model's member
name), maps as <entry><key/><value/></entry>, scalars as text in the model's
formats (ISO 8601 timestamps, true/false booleans)."""

from collections import Counter

from values import text_problem
from json_body import MAX_PROBLEMS


def local_name(element):
    return element.tag.rsplit("}", 1)[-1]


def namespace_of(element):
    return element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""


def check_xml(shape, element, path, problems, timestamp_format="iso8601"):
    if len(problems) >= MAX_PROBLEMS:
        return
    kind = shape.type_name
    if kind == "structure":
        check_structure(shape, element, path, problems, timestamp_format)
    elif kind == "list":
        check_list(shape, list(element), path, problems, timestamp_format)
    elif kind == "map":
        check_map(shape, element, path, problems, timestamp_format)
    else:
        if len(element):
            problems.append(f"{path}: a {kind} must be text, not elements")
            return
        problem = text_problem(shape, element.text or "", path, timestamp_format)
        if problem:
            problems.append(problem)


def member_names(shape):
    """Wire name → (member name, member shape, flattened list?)."""
    names = {}
    for name, member in shape.members.items():
        if member.serialization.get("location") in ("header", "headers", "statusCode"):
            continue
        flattened = member.type_name == "list" and member.serialization.get("flattened", False)
        wire = member.member.serialization.get("name", name) if flattened else member.serialization.get("name", name)
        names[wire] = (name, member, flattened)
    return names


def check_structure(shape, element, path, problems, timestamp_format):
    if (element.text or "").strip():
        problems.append(f"{path}: structure {shape.name} holds text {element.text.strip()[:40]!r}")
    names = member_names(shape)
    counts = Counter(local_name(child) for child in element)
    for wire, count in counts.items():
        if wire not in names:
            problems.append(f"{path}.{wire}: member not declared by {shape.name}")
        elif count > 1 and not names[wire][2]:
            problems.append(f"{path}.{wire}: appears {count} times")
    for name in shape.required_members:
        member = shape.members[name]
        if member.serialization.get("location"):
            continue
        wire = member.serialization.get("name", name)
        if wire not in counts:
            problems.append(f"{path}.{wire}: required by {shape.name} but missing")
    flattened_seen = {}
    for child in element:
        wire = local_name(child)
        if wire not in names:
            continue
        _, member, flattened = names[wire]
        if flattened:
            index = flattened_seen.get(wire, 0)
            flattened_seen[wire] = index + 1
            check_xml(member.member, child, f"{path}.{wire}[{index}]", problems, timestamp_format)
        else:
            check_xml(member, child, f"{path}.{wire}", problems, timestamp_format)


def check_list(shape, children, path, problems, timestamp_format):
    item_name = shape.member.serialization.get("name", "member")
    for i, child in enumerate(children):
        if local_name(child) != item_name:
            problems.append(f"{path}: list items must be <{item_name}>, got <{local_name(child)}>")
            return
        check_xml(shape.member, child, f"{path}[{i}]", problems, timestamp_format)


def check_map(shape, element, path, problems, timestamp_format):
    flattened = shape.serialization.get("flattened", False)
    entries = [element] if flattened else list(element)
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    for i, entry in enumerate(entries):
        if not flattened and local_name(entry) != "entry":
            problems.append(f"{path}: map entries must be <entry>, got <{local_name(entry)}>")
            return
        parts = {local_name(c): c for c in entry}
        if set(parts) != {key_name, value_name}:
            problems.append(f"{path}[{i}]: a map entry holds <{key_name}> and <{value_name}>, got {sorted(parts)}")
            continue
        check_xml(shape.key, parts[key_name], f"{path}[{i}].{key_name}", problems, timestamp_format)
        check_xml(shape.value, parts[value_name], f"{path}[{i}].{value_name}", problems, timestamp_format)
